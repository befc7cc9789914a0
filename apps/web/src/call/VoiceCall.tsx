import { useEffect, useRef, useState } from "react";
import "./call.css";
import { ApiError } from "../api/http.ts";
import { t, type Locale } from "../i18n.ts";
import { Speaker } from "../speech/speaker.ts";
import { useSpeechModel } from "../speech/SpeechModel.tsx";
import { micProblem } from "../speech/micProblem.ts";
import { transcribe } from "../speech/transcribe.ts";
import type { Turn } from "../Thread.tsx";
import { sentences } from "../thread/sentences.ts";
import { useListener } from "./useListener.ts";

type Phase = "listening" | "hearing" | "thinking" | "speaking";

const PHASE_TEXT = { listening: "callListening", hearing: "callHearing", thinking: "callThinking", speaking: "callSpeaking" } as const;

interface Props {
  locale: Locale;
  /** Whether this market has speech recognition (without it the call says what to configure). */
  canHear: boolean;
  /** The conversation's branch as shown, the answer streaming into it. */
  turns: Turn[];
  streaming: boolean;
  /** Sends what was said as a message; resolves once its answer is saved (done or stopped), or with why it was not sent. */
  onAsk(text: string): Promise<Error | undefined>;
  /** Stops the answer being written. */
  onStop(): void;
  onClose(): void;
}

/** The answer being spoken: its speaker, how much of it was given to the speaker, and how many turns came before. */
interface Spoken {
  speaker: Speaker;
  next: number;
  after: number;
}

/**
 * A voice call over the conversation shown: the microphone listens all the time; each turn of speech is written
 * out, sent as a message, and its answer is spoken sentence by sentence as it streams. Speaking while it answers
 * (barge-in) stops the voice and the answer, and the new turn goes on. Both sides are captioned; the conversation
 * is saved like any other.
 */
export function VoiceCall({ locale, canHear, turns, streaming, onAsk, onStop, onClose }: Props) {
  const model = useSpeechModel();
  const [phase, setPhase] = useState<Phase>("listening");
  const [heard, setHeard] = useState("");
  /** What ends the listening (no microphone, no speech recognition). */
  const [problem, setProblem] = useState<string>();
  /** What went wrong with the last turn (a refused message, a lost connection): the call goes on. */
  const [turnProblem, setTurnProblem] = useState<string>();
  const [bargeIns, setBargeIns] = useState(0);
  const audio = useRef<HTMLAudioElement>(null);
  const spoken = useRef<Spoken | null>(null);
  const turnsNow = useRef(turns);
  turnsNow.current = turns;
  const live = useRef({ streaming, onAsk, onStop });
  live.current = { streaming, onAsk, onStop };
  /** Turns are taken one after another: the next waits for the last one's answer to be saved and spoken. */
  const queue = useRef(Promise.resolve());
  /** Aborted on hanging up: a turn being written out is dropped, not sent after the call. */
  const hangUp = useRef(new AbortController());
  const say = { blocked: t(locale, "callMicBlocked"), notConfigured: t(locale, "callNotConfigured"), failed: t(locale, "callFailed") };
  const fail = (err: Error) => setProblem(micProblem(err, say));

  const listener = useListener(canHear && !problem, {
    onSpeech() {
      const s = spoken.current;
      if (s || live.current.streaming) {
        s?.speaker.stop();
        spoken.current = null;
        if (live.current.streaming) live.current.onStop();
        setBargeIns((n) => n + 1);
      }
      setPhase("hearing");
    },
    onUtterance(wav) {
      setPhase("thinking");
      queue.current = queue.current.then(async () => {
        const ended = hangUp.current.signal;
        try {
          const text = await transcribe(wav, locale, ended);
          if (ended.aborted || !audio.current) return;
          if (!text) return setPhase("listening");
          setHeard(text);
          setTurnProblem(undefined);
          const s: Spoken = { speaker: new Speaker(audio.current, model), next: 0, after: turnsNow.current.length };
          spoken.current = s;
          setPhase("speaking");
          const failed = await live.current.onAsk(text);
          if (failed) setTurnProblem(`${t(locale, "callFailed")} ${failed.message}`);
          // The saved answer is whole: what was not said yet is said now, and nothing more will come.
          feed(s, turnsNow.current, false);
          s.speaker.end();
          await s.speaker.done;
          if (spoken.current === s) {
            spoken.current = null;
            setPhase("listening");
          }
        } catch (err) {
          if (ended.aborted) return;
          // No speech recognition or microphone ends the call's listening; anything else only this turn.
          const e = err as Error;
          if (e.name === "NotAllowedError" || (e instanceof ApiError && e.code === "transcription_not_configured")) fail(e);
          else setTurnProblem(micProblem(e, say));
          setPhase("listening");
        }
      });
    },
    onError: fail,
  });

  // The answer's sentences are spoken as they stream in.
  useEffect(() => {
    if (spoken.current) feed(spoken.current, turns, streaming);
  }, [turns, streaming]);

  // Hanging up stops the voice and drops a turn not yet sent; an answer still being written goes on into the conversation.
  useEffect(() => {
    const call = new AbortController();
    hangUp.current = call;
    return () => {
      call.abort();
      spoken.current?.speaker.stop();
    };
  }, []);
  useEffect(() => {
    const key = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    addEventListener("keydown", key);
    return () => removeEventListener("keydown", key);
  }, [onClose]);

  const answer = turns.length > (spoken.current?.after ?? Number.POSITIVE_INFINITY) ? turns.at(-1) : undefined;
  const said = answer?.role === "assistant" ? answer.content : [...turns].reverse().find((x) => x.role === "assistant")?.content;
  const shown = problem ?? (canHear ? undefined : t(locale, "callNotConfigured"));
  return (
    <div
      className="call"
      role="dialog"
      aria-modal="true"
      aria-label={t(locale, "callTitle")}
      data-testid="call"
      data-phase={phase}
      data-barge-ins={bargeIns}
      data-problem={shown ? "" : undefined}
    >
      <div className="call-orb" data-speaking={listener.speaking} aria-hidden="true">
        <span style={{ transform: `scale(${1 + listener.level * 0.6})` }} />
      </div>
      <p className="call-phase" aria-live="polite">
        {shown ? "" : t(locale, PHASE_TEXT[phase])}
      </p>
      {(shown ?? turnProblem) && (
        <p className="call-problem" role="alert" data-testid="call-problem">
          {shown ?? turnProblem}
        </p>
      )}
      <div className="call-captions" aria-live="polite">
        {heard && (
          <p className="caption you" data-testid="caption-you">
            <b>{t(locale, "callYou")}</b> {heard}
          </p>
        )}
        {said && (
          <p className="caption assistant" data-testid="caption-assistant">
            <b>{t(locale, "assistant")}</b> {said}
          </p>
        )}
      </div>
      <button type="button" className="call-end" data-testid="end-call" onClick={onClose}>
        {t(locale, "endCall")}
      </button>
      {/* biome-ignore lint/a11y/useMediaCaption: the answer's text is captioned above as it is spoken */}
      <audio ref={audio} data-testid="call-audio" hidden />
    </div>
  );
}

/** Gives the speaker the answer's sentences written since last time; all the rest once it is whole. */
function feed(s: Spoken, turns: Turn[], streaming: boolean): void {
  const answer = turns.length > s.after ? turns.at(-1) : undefined;
  if (answer?.role !== "assistant") return;
  const whole = !streaming || answer.status !== "streaming";
  const { parts, next } = sentences(answer.content, s.next, whole);
  s.next = next;
  s.speaker.say(parts);
  if (whole) s.speaker.end();
}
