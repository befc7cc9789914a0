import { useEffect, useRef, useState } from "react";
import { type OpenMicrophone, openMicrophone } from "../speech/microphone.ts";
import { wavOf } from "../speech/wav.ts";
import { VoiceActivity } from "./voiceActivity.ts";

export interface ListenerEvents {
  /** Someone started speaking (barge-in: whatever plays should stop). */
  onSpeech(): void;
  /** What they said, once they paused: a WAV to transcribe. */
  onUtterance(wav: Blob): void;
  /** The microphone could not be had (blocked, absent). */
  onError(err: Error): void;
}

/** Speech kept from before the detector was sure someone spoke, so a turn's first syllable is not cut. */
const PRE_ROLL_MS = 400;
/** A turn longer than this is sent as it is, and listening goes on. */
const MAX_TURN_MS = 30_000;

/**
 * The microphone, always listening while `on`: the level (0..1) for a meter, and each turn of speech as a WAV, cut
 * by voice activity.
 */
export function useListener(on: boolean, events: ListenerEvents): { level: number; speaking: boolean } {
  const [state, setState] = useState({ level: 0, speaking: false });
  const handlers = useRef(events);
  handlers.current = events;

  useEffect(() => {
    if (!on) return;
    const vad = new VoiceActivity();
    let kept: Float32Array[] = [];
    let turn: Float32Array[] | null = null;
    let mic: OpenMicrophone | undefined;
    let closed = false;
    const onBlock = (block: Float32Array, ms: number) => {
      const level = VoiceActivity.level(block);
      const event = vad.push(level, ms);
      if (turn) turn.push(block);
      else {
        kept.push(block);
        if (kept.length * ms > PRE_ROLL_MS) kept.shift();
      }
      if (event === "start") {
        turn = kept;
        kept = [];
        handlers.current.onSpeech();
      }
      if (turn && (event === "end" || turn.length * ms > MAX_TURN_MS)) {
        handlers.current.onUtterance(wavOf(turn, mic!.sampleRate));
        turn = event === "end" ? null : [];
      }
      setState({ level: Math.min(1, level * 4), speaking: vad.speaking });
    };
    openMicrophone(onBlock).then(
      (m) => (closed ? m.close() : (mic = m)),
      (err: Error) => handlers.current.onError(err),
    );
    return () => {
      closed = true;
      mic?.close();
      setState({ level: 0, speaking: false });
    };
  }, [on]);
  return state;
}
