import { useEffect, useRef, useState } from "react";
import { VoiceActivity } from "./voiceActivity.ts";
import { wavOf } from "./wav.ts";

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
 * by voice activity. Echo cancellation keeps the assistant's own voice from counting as speech.
 */
export function useListener(on: boolean, events: ListenerEvents): { level: number; speaking: boolean } {
  const [state, setState] = useState({ level: 0, speaking: false });
  const handlers = useRef(events);
  handlers.current = events;

  useEffect(() => {
    if (!on) return;
    let closed = false;
    let release = () => {};
    void (async () => {
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
        });
      } catch (err) {
        handlers.current.onError(err as Error);
        return;
      }
      if (closed) {
        for (const track of stream.getTracks()) track.stop();
        return;
      }
      const audio = new AudioContext();
      const source = audio.createMediaStreamSource(stream);
      // A ScriptProcessor (not an AudioWorklet) needs no module loaded from a URL, which the page's policy may not allow.
      const tap = audio.createScriptProcessor(2048, 1, 1);
      const mute = audio.createGain();
      mute.gain.value = 0;
      source.connect(tap).connect(mute).connect(audio.destination);
      const vad = new VoiceActivity();
      const blockMs = (2048 / audio.sampleRate) * 1000;
      let kept: Float32Array[] = [];
      let turn: Float32Array[] | null = null;
      tap.onaudioprocess = (e) => {
        const block = new Float32Array(e.inputBuffer.getChannelData(0));
        const level = VoiceActivity.level(block);
        const event = vad.push(level, blockMs);
        if (turn) turn.push(block);
        else {
          kept.push(block);
          if (kept.length * blockMs > PRE_ROLL_MS) kept.shift();
        }
        if (event === "start") {
          turn = kept;
          kept = [];
          handlers.current.onSpeech();
        }
        if (turn && (event === "end" || turn.length * blockMs > MAX_TURN_MS)) {
          handlers.current.onUtterance(wavOf(turn, audio.sampleRate));
          turn = event === "end" ? null : [];
        }
        setState({ level: Math.min(1, level * 4), speaking: vad.speaking });
      };
      release = () => {
        tap.onaudioprocess = null;
        for (const track of stream.getTracks()) track.stop();
        void audio.close();
      };
      if (closed) release();
    })();
    return () => {
      closed = true;
      release();
      setState({ level: 0, speaking: false });
    };
  }, [on]);
  return state;
}
