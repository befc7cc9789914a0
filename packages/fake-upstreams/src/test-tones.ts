/** Audio that real decoders read, made in code for fakes of speech services: a tone, or silence. */

/** 16-bit mono PCM samples of a 440 Hz tone (or silence), `seconds` long. */
export function tonePcm(seconds: number, rate = 24000, silent = false): Buffer {
  const n = Math.max(1, Math.round(seconds * rate));
  const pcm = Buffer.alloc(n * 2);
  if (!silent) for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return pcm;
}

/** A WAV (RIFF, PCM 16-bit mono) of those samples. */
export function toneWav(seconds: number, rate = 24000, silent = false): Buffer {
  const pcm = tonePcm(seconds, rate, silent);
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write("WAVEfmt ", 8, "ascii");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

/**
 * An MP3 of silence: MPEG-1 Layer III frames (128 kb/s, 44.1 kHz, mono) whose side information and data are all
 * zero, which decoders play as 26 ms of silence each.
 */
export function silentMp3(seconds: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc4]);
  return Buffer.concat(Array.from({ length: Math.max(1, Math.ceil(seconds / 0.026122)) }, () => frame));
}

const oggTable = Array.from({ length: 256 }, (_, n) => {
  let c = n << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});
/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, starting at 0). */
function oggCrc(b: Buffer): number {
  let c = 0;
  for (const x of b) c = ((c << 8) ^ oggTable[((c >>> 24) ^ x) & 0xff]!) >>> 0;
  return c;
}

/** One Ogg page holding `packets` (each under 255 bytes). */
function oggPage(packets: Buffer[], flags: number, granule: number, sequence: number): Buffer {
  const h = Buffer.alloc(27);
  h.write("OggS", 0, "ascii");
  h.writeUInt8(flags, 5);
  h.writeBigUInt64LE(BigInt(granule), 6);
  h.writeUInt32LE(0x62656e69, 14); // stream serial number
  h.writeUInt32LE(sequence, 18);
  h.writeUInt8(packets.length, 26);
  const page = Buffer.concat([h, Buffer.from(packets.map((p) => p.length)), ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** An Ogg Opus stream of silence: OpusHead, OpusTags, then 20 ms packets of the Opus silence frame (f8 ff fe). */
export function silentOggOpus(seconds: number): Buffer {
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "ascii");
  head.set([1, 1], 8); // version 1, mono
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(24000, 12); // the input's sample rate
  const vendor = Buffer.from("benih fake");
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write("OpusTags", 0, "ascii");
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  const count = Math.min(250, Math.max(1, Math.ceil(seconds / 0.02)));
  const packets = Array.from({ length: count }, () => Buffer.from([0xf8, 0xff, 0xfe]));
  return Buffer.concat([oggPage([head], 0x02, 0, 0), oggPage([tags], 0, 0, 1), oggPage(packets, 0x04, 312 + count * 960, 2)]);
}

/** The container of a recording by its first bytes: what a speech service checks before it decodes. */
export function audioContainer(b: Buffer): "wav" | "ogg" | "mp3" | "webm" | undefined {
  const head = b.subarray(0, 4).toString("latin1");
  if (head === "RIFF" && b.subarray(8, 12).toString("latin1") === "WAVE") return "wav";
  if (head === "OggS") return "ogg";
  if (head.startsWith("ID3") || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0)) return "mp3";
  if (b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3) return "webm";
  return undefined;
}
