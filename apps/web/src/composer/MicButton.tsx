import { micProblem } from "../speech/micProblem.ts";
import { t, type Locale } from "../i18n.ts";
import { MicIcon } from "../icons.tsx";
import { transcribe } from "../speech/transcribe.ts";
import { useRecorder } from "./useRecorder.ts";

/**
 * Press to talk: the first press records (a level meter shows it hears you, × cancels), the second writes out what
 * was said into the message box. A server without speech recognition says what its admin must configure.
 */
export function MicButton({
  locale,
  onText,
  onProblem,
}: {
  locale: Locale;
  onText(text: string): void;
  /** What went wrong (said below the message box), or undefined when a new recording starts. */
  onProblem(problem: string | undefined): void;
}) {
  const mic = useRecorder();
  const level = mic.recording.state === "recording" ? mic.recording.level : undefined;
  const recording = level !== undefined;

  async function press() {
    onProblem(undefined);
    try {
      if (mic.recording.state === "idle") return await mic.start();
      if (!recording) return;
      const text = await transcribe(await mic.stop(), locale);
      if (text) onText(text);
    } catch (err) {
      onProblem(micProblem(err as Error, { blocked: t(locale, "micBlocked"), notConfigured: t(locale, "micNotConfigured") }));
    }
    mic.done();
  }

  return (
    <>
      <button
        type="button"
        className={`mic ghost ${recording ? "on" : ""}`}
        data-testid="mic"
        aria-pressed={recording}
        aria-label={t(locale, recording ? "stopSpeaking" : mic.recording.state === "busy" ? "transcribing" : "speak")}
        title={t(locale, recording ? "stopSpeaking" : mic.recording.state === "busy" ? "transcribing" : "speak")}
        disabled={mic.recording.state === "busy"}
        onClick={() => void press()}
      >
        <MicIcon />
        {recording && <span className="level" data-testid="mic-level" style={{ transform: `scaleY(${0.15 + (level ?? 0)})` }} />}
      </button>
      {recording && (
        <button type="button" className="ghost" data-testid="mic-cancel" aria-label={t(locale, "cancelSpeaking")} onClick={mic.cancel}>
          ×
        </button>
      )}
    </>
  );
}
