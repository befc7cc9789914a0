import { useEffect, useRef, useState } from "react";
import { apiError, authed } from "../api/http.ts";
import { t, type Locale } from "../i18n.ts";
import { SpeakerIcon } from "./icons.tsx";
import { sentences } from "./sentences.ts";

/** The speech model every server has: espeak-ng speaks the market's language without a provider. */
const MODEL = "espeak-ng";

async function speak(input: string, signal: AbortSignal): Promise<string> {
  const res = await authed("/v1/audio/speech", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, input, voice: "nova", response_format: "mp3" }),
    signal,
  });
  if (!res.ok) throw await apiError(res);
  return URL.createObjectURL(await res.blob());
}

/**
 * Reads an answer aloud, sentence by sentence: the first is spoken as soon as it is made (the next one is made
 * while it plays), and a streaming answer's sentences are spoken as they are written. Pressing again stops.
 */
export function ReadAloud({ text, streaming, locale }: { text: string; streaming: boolean; locale: Locale }) {
  const [on, setOn] = useState(false);
  const [failed, setFailed] = useState<string>();
  const audio = useRef<HTMLAudioElement>(null);
  const queue = useRef<{ parts: string[]; next: number; stop?: AbortController }>({ parts: [], next: 0 });
  const latest = useRef({ text, streaming });
  latest.current = { text, streaming };

  // New whole sentences go on the queue as the answer grows.
  useEffect(() => {
    if (!on) return;
    const q = queue.current;
    const { parts, next } = sentences(text, q.next, !streaming);
    q.parts.push(...parts);
    q.next = next;
  }, [on, text, streaming]);

  useEffect(() => {
    if (!on) return;
    const stop = new AbortController();
    queue.current = { ...sentences(latest.current.text, 0, !latest.current.streaming), stop };
    const q = queue.current;
    const make = () => {
      const sentence = q.parts.shift();
      return sentence === undefined ? undefined : speak(sentence, stop.signal);
    };
    const playOne = async (url: string) => {
      const el = audio.current!;
      el.src = url;
      await el.play();
      await new Promise<void>((resolve) => {
        el.onended = () => resolve();
        stop.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      URL.revokeObjectURL(url);
    };
    const play = async () => {
      // The next sentence's audio is made while the current one plays.
      let next: Promise<string> | undefined;
      for (;;) {
        const current = next ?? make();
        next = undefined;
        if (!current) {
          if (!latest.current.streaming && q.next >= latest.current.text.length) break;
          await new Promise((r) => setTimeout(r, 150));
          if (stop.signal.aborted) return;
          continue;
        }
        const url = await current;
        next = make();
        await playOne(url);
        if (stop.signal.aborted) return;
      }
      setOn(false);
    };
    play().catch((err: Error) => {
      if (stop.signal.aborted) return;
      setFailed(err.message);
      setOn(false);
    });
    return () => {
      stop.abort();
      audio.current?.pause();
    };
  }, [on]);

  return (
    <>
      <button
        type="button"
        className="ghost tool"
        data-testid="read-aloud"
        aria-pressed={on}
        aria-label={t(locale, on ? "stopReading" : "readAloud")}
        title={failed ? `${t(locale, "readAloudFailed")} ${failed}` : t(locale, on ? "stopReading" : "readAloud")}
        onClick={() => {
          setFailed(undefined);
          setOn(!on);
        }}
      >
        <SpeakerIcon on={on} />
      </button>
      {/* biome-ignore lint/a11y/useMediaCaption: speech of the answer shown beside it, which is its caption */}
      <audio ref={audio} data-testid="read-aloud-audio" hidden />
    </>
  );
}
