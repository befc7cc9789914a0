import { useCallback, useEffect, useRef, useState } from "react";
import { type OpenMicrophone, openMicrophone } from "../speech/microphone.ts";
import { wavOf } from "../speech/wav.ts";
import { VoiceActivity } from "../call/voiceActivity.ts";

export type Recording = { state: "idle" } | { state: "recording"; level: number } | { state: "busy" };

/**
 * The microphone as a recorder: `start()` asks for it and records, showing its level (0..1) as it goes; `stop()`
 * resolves with what was said as a 16 kHz WAV (every speech recogniser reads it); `cancel()` throws it away. The
 * microphone is let go at once after.
 */
export function useRecorder() {
  const [recording, setRecording] = useState<Recording>({ state: "idle" });
  const live = useRef<{ mic: OpenMicrophone; blocks: Float32Array[] } | null>(null);
  /** Set while the browser asks for the microphone: a second press, a cancel or leaving the page waits for it. */
  const opening = useRef<{ cancelled: boolean } | null>(null);

  const release = useCallback(() => {
    if (opening.current) opening.current.cancelled = true;
    live.current?.mic.close();
    live.current = null;
  }, []);
  useEffect(() => release, [release]);

  async function start(): Promise<void> {
    if (opening.current || live.current) return;
    const blocks: Float32Array[] = [];
    const open = { cancelled: false };
    opening.current = open;
    try {
      const mic = await openMicrophone((block) => {
        if (live.current?.blocks !== blocks) return;
        blocks.push(block);
        setRecording({ state: "recording", level: Math.min(1, VoiceActivity.level(block) * 4) });
      });
      // Cancelled (or the page left) while the browser asked: the microphone is let go at once.
      if (open.cancelled) return mic.close();
      live.current = { mic, blocks };
      setRecording({ state: "recording", level: 0 });
    } finally {
      opening.current = null;
    }
  }

  async function stop(): Promise<Blob> {
    const l = live.current;
    if (!l) throw new Error("not recording");
    release();
    setRecording({ state: "busy" });
    return wavOf(l.blocks, l.mic.sampleRate);
  }

  function cancel(): void {
    release();
    setRecording({ state: "idle" });
  }

  return { recording, start, stop, cancel, done: () => setRecording({ state: "idle" }) };
}
