import { useEffect, useRef, useState } from "react";
import { t, type Locale } from "../i18n.ts";
import type { Turn } from "../Thread.tsx";

/**
 * A polite live region that reads out an answer once it has finished streaming (not token by token), or that it
 * failed. It stays empty on opening a conversation: only answers that end while the reader watches are announced.
 */
export function Announcer({ turns, locale }: { turns: Turn[]; locale: Locale }) {
  const [said, setSaid] = useState("");
  const streaming = useRef<string | null>(null);
  const last = turns.at(-1);
  useEffect(() => {
    if (last?.role === "assistant" && last.status === "streaming") streaming.current = last.id;
    else if (streaming.current && last?.id === streaming.current) {
      streaming.current = null;
      setSaid(last.status === "failed" ? t(locale, "failed") : `${t(locale, "answerReady")} ${last.content}`);
    }
  }, [last, locale]);
  return (
    <div className="sr" aria-live="polite" data-testid="announcer">
      {said}
    </div>
  );
}
