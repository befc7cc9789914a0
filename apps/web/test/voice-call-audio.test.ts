import { describe, expect, it } from "vitest";
import { VoiceActivity } from "../src/call/voiceActivity.ts";
import { SPEECH_RATE, wavOf } from "../src/speech/wav.ts";

/** Blocks of 20 ms at `level`, fed to the detector; the events it gave, with when (ms). */
function feed(vad: VoiceActivity, plan: Array<[level: number, ms: number]>) {
  const events: Array<[string, number]> = [];
  let t = 0;
  for (const [level, ms] of plan)
    for (let i = 0; i < ms; i += 20) {
      t += 20;
      const e = vad.push(level, 20);
      if (e) events.push([e, t]);
    }
  return events;
}

// A voice call's turns: where someone starts and stops speaking, from loudness; and what is sent to be transcribed.
describe("voice activity", () => {
  it("starts a turn after sustained speech and ends it after a pause", () => {
    const events = feed(new VoiceActivity(), [
      [0.002, 1000], // a quiet room
      [0.2, 1500], // speech
      [0.002, 400], // a breath: the turn goes on
      [0.2, 600],
      [0.002, 1500], // the pause that ends it
    ]);
    expect(events.map(([e]) => e)).toEqual(["start", "end"]);
    expect(events[0]![1]).toBeGreaterThanOrEqual(1150); // 150 ms of speech first
    expect(events[1]![1]).toBe(1000 + 1500 + 400 + 600 + 800);
  });

  it("lets a click or a cough pass, and learns a noisy room so its hum is not speech", () => {
    expect(
      feed(new VoiceActivity(), [
        [0.002, 500],
        [0.3, 100],
        [0.002, 500],
      ]),
    ).toEqual([]);
    // A fan at 0.05: speech must be well above it.
    const vad = new VoiceActivity();
    expect(
      feed(vad, [
        [0.05, 5000],
        [0.06, 1000],
      ]),
    ).toEqual([]);
    expect(feed(vad, [[0.4, 400]]).map(([e]) => e)).toEqual(["start"]);
  });
});

describe("recordings sent for transcription", () => {
  it("are 16 kHz 16-bit mono WAVs of the same length, whatever rate the microphone had", async () => {
    const second = Float32Array.from({ length: 48_000 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48_000) * 0.5);
    const wav = wavOf([second.subarray(0, 24_000), second.subarray(24_000)], 48_000);
    expect(wav.type).toBe("audio/wav");
    const bytes = new DataView(await wav.arrayBuffer());
    const text = (at: number) => String.fromCharCode(...new Uint8Array(bytes.buffer, at, 4));
    expect([text(0), text(8), text(12), text(36)]).toEqual(["RIFF", "WAVE", "fmt ", "data"]);
    expect(bytes.getUint16(22, true)).toBe(1);
    expect(bytes.getUint32(24, true)).toBe(SPEECH_RATE);
    expect(bytes.getUint32(40, true) / 2 / SPEECH_RATE).toBe(1); // one second
    // The tone survives: peaks near half scale, not clipped or silent.
    let peak = 0;
    for (let i = 44; i < bytes.byteLength; i += 2) peak = Math.max(peak, Math.abs(bytes.getInt16(i, true)));
    expect(peak / 0x7fff).toBeGreaterThan(0.45);
    expect(peak / 0x7fff).toBeLessThan(0.51);
  });
});
