import { useCallback, useEffect, useRef, useState } from "react";

export type Recording = { state: "idle" } | { state: "recording"; level: number } | { state: "busy" };

/**
 * The microphone as a recorder: `start()` asks for it and records, showing its level (0..1) as it goes; `stop()`
 * resolves with what was said as one audio file; `cancel()` throws it away. The microphone is let go at once after.
 */
export function useRecorder() {
  const [recording, setRecording] = useState<Recording>({ state: "idle" });
  const live = useRef<{ recorder: MediaRecorder; stream: MediaStream; chunks: Blob[]; frame: number; audio: AudioContext } | null>(null);

  const release = useCallback(() => {
    const l = live.current;
    live.current = null;
    if (!l) return;
    cancelAnimationFrame(l.frame);
    for (const track of l.stream.getTracks()) track.stop();
    void l.audio.close();
  }, []);
  useEffect(() => release, [release]);

  async function start(): Promise<void> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const recorder = new MediaRecorder(stream);
    const audio = new AudioContext();
    const analyser = audio.createAnalyser();
    analyser.fftSize = 512;
    audio.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const l = { recorder, stream, chunks: [] as Blob[], frame: 0, audio };
    recorder.ondataavailable = (e) => e.data.size && l.chunks.push(e.data);
    const meter = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      setRecording({ state: "recording", level: Math.min(1, Math.sqrt(sum / samples.length) * 4) });
      l.frame = requestAnimationFrame(meter);
    };
    live.current = l;
    recorder.start();
    meter();
  }

  function stop(): Promise<Blob> {
    const l = live.current;
    if (!l) return Promise.reject(new Error("not recording"));
    setRecording({ state: "busy" });
    return new Promise((resolve) => {
      l.recorder.onstop = () => {
        release();
        resolve(new Blob(l.chunks, { type: l.recorder.mimeType || "audio/webm" }));
      };
      l.recorder.stop();
    });
  }

  function cancel(): void {
    const l = live.current;
    if (l) l.recorder.onstop = null;
    l?.recorder.state !== "inactive" && l?.recorder.stop();
    release();
    setRecording({ state: "idle" });
  }

  return { recording, start, stop, cancel, done: () => setRecording({ state: "idle" }) };
}
