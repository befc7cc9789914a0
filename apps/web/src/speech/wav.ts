/** The rate recordings are sent at: what speech recognisers use, a third of a browser's 48 kHz. */
export const SPEECH_RATE = 16_000;

/**
 * Mono samples (-1..1, at `rate`) as a 16-bit PCM WAV at 16 kHz: a file every speech recogniser reads, whose
 * length the server can tell before it is transcribed. Each output sample averages the input ones it covers.
 */
export function wavOf(blocks: readonly Float32Array[], rate: number): Blob {
  const total = blocks.reduce((n, b) => n + b.length, 0);
  const step = rate / SPEECH_RATE;
  const count = Math.floor(total / step);
  const out = new DataView(new ArrayBuffer(44 + count * 2));
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) out.setUint8(at + i, s.charCodeAt(i));
  };
  text(0, "RIFF");
  out.setUint32(4, 36 + count * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  out.setUint32(16, 16, true);
  out.setUint16(20, 1, true); // PCM
  out.setUint16(22, 1, true); // mono
  out.setUint32(24, SPEECH_RATE, true);
  out.setUint32(28, SPEECH_RATE * 2, true);
  out.setUint16(32, 2, true);
  out.setUint16(34, 16, true);
  text(36, "data");
  out.setUint32(40, count * 2, true);
  const all = new Float32Array(total);
  let at = 0;
  for (const b of blocks) {
    all.set(b, at);
    at += b.length;
  }
  for (let i = 0; i < count; i++) {
    const from = Math.floor(i * step);
    const to = Math.max(from + 1, Math.floor((i + 1) * step));
    let sum = 0;
    for (let j = from; j < to; j++) sum += all[j]!;
    const v = Math.max(-1, Math.min(1, sum / (to - from)));
    out.setInt16(44 + i * 2, v < 0 ? v * 0x8000 : v * 0x7fff, true);
  }
  return new Blob([out.buffer], { type: "audio/wav" });
}
