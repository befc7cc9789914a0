import { useEffect, useRef, useState } from "react";
import { t, type Locale } from "../i18n.ts";
import { Speaker } from "../speech/speaker.ts";
import { useSpeechModel } from "../speech/SpeechModel.tsx";
import { SpeakerIcon } from "./icons.tsx";
import { sentences } from "./sentences.ts";

/**
 * Reads an answer aloud, sentence by sentence: the first is spoken as soon as it is made, and a streaming answer's
 * sentences are spoken as they are written. Pressing again stops.
 */
export function ReadAloud({ text, streaming, locale }: { text: string; streaming: boolean; locale: Locale }) {
  const model = useSpeechModel();
  const [on, setOn] = useState(false);
  const [failed, setFailed] = useState<string>();
  const audio = useRef<HTMLAudioElement>(null);
  const speaker = useRef<{ speaker: Speaker; next: number } | null>(null);

  useEffect(() => {
    if (!on) return;
    const s = { speaker: new Speaker(audio.current!, model), next: 0 };
    speaker.current = s;
    s.speaker.done.then(
      () => s.speaker.stopped || setOn(false),
      (err: Error) => {
        setFailed(err.message);
        setOn(false);
      },
    );
    return () => {
      s.speaker.stop();
      speaker.current = null;
    };
  }, [on, model]);

  // New whole sentences are said as the answer grows; once it is whole, the rest.
  useEffect(() => {
    const s = speaker.current;
    if (!on || !s) return;
    const { parts, next } = sentences(text, s.next, !streaming);
    s.next = next;
    s.speaker.say(parts);
    if (!streaming) s.speaker.end();
  }, [on, text, streaming]);

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
