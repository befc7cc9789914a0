import { useEffect, useRef } from "react";
import { t, type Locale } from "./i18n.ts";
import { Thread, type ThreadActions, type Turn } from "./Thread.tsx";

interface Props extends ThreadActions {
  turns: Turn[];
  locale: Locale;
  busy: boolean;
  error: string | undefined;
  /** How many models the server offers; null until it has said. */
  models: number | null;
  /** Prompts to start an empty conversation with (the agent's). */
  starters: string[];
  onStarter(text: string): void;
}

/** The conversation shown, kept scrolled to its end as answers stream in, or what to start one with. */
export function MessageList({ turns, locale, busy, error, models, starters, onStarter, ...actions }: Props) {
  const end = useRef<HTMLDivElement>(null);
  // A block body: scrollIntoView returns a promise in newer browsers, and an effect may only return a cleanup.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the list's length and the last text are what scrolls it
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [turns.length, turns.at(-1)?.content]);
  return (
    <main className="thread" data-testid="thread">
      {error && (
        <p className="notice error" data-testid="error">
          {error}
        </p>
      )}
      {models === 0 && !error && <p className="notice">{t(locale, "noModels")}</p>}
      {!turns.length && !!models && <p className="empty">{t(locale, "empty")}</p>}
      {!turns.length && starters.length > 0 && (
        <div className="starters">
          {starters.map((st) => (
            <button key={st} type="button" className="ghost" data-testid="starter" onClick={() => onStarter(st)}>
              {st}
            </button>
          ))}
        </div>
      )}
      <Thread turns={turns} locale={locale} busy={busy} {...actions} />
      <div ref={end} />
    </main>
  );
}
