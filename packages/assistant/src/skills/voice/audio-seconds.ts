/**
 * How many seconds of audio a request uses, for quotas (audioSecondsPerDay): measured where the bytes say it,
 * estimated where they cannot.
 */

/**
 * The most seconds `text` is likely to take spoken at `speed`, reserved before any synthesis: about ten Latin
 * characters a second and two Han characters (espeak-ng speaks English at about 19 a second, Indonesian 12,
 * Mandarin 2.7; OpenAI's voices are close), plus a second of silence around it. Settled on what was produced when
 * that can be measured.
 */
export function estimateSpeechSeconds(text: string, speed: number): number {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  return Math.ceil(((text.length - han) / 10 + han / 2) / speed + 1);
}

/**
 * A WAV's seconds from its header and its total length in bytes. The header's own data size is not trusted:
 * a streamed WAV (espeak-ng's --stdout, many providers) writes a placeholder there. Undefined when `head` (the
 * file's first bytes) is not a PCM WAV header.
 */
export function wavSeconds(head: Buffer, totalBytes: number): number | undefined {
  if (head.length < 12 || head.toString("latin1", 0, 4) !== "RIFF" || head.toString("latin1", 8, 12) !== "WAVE") return undefined;
  let byteRate: number | undefined;
  for (let at = 12; at + 8 <= head.length; ) {
    const id = head.toString("latin1", at, at + 4);
    const size = head.readUInt32LE(at + 4);
    if (id === "fmt " && at + 16 <= head.length) byteRate = head.readUInt32LE(at + 16);
    if (id === "data") return byteRate ? Math.max(0, totalBytes - (at + 8)) / byteRate : undefined;
    at += 8 + size + (size % 2);
  }
  return undefined;
}

/** OpenAI's `pcm`: 24 kHz, 16-bit, mono, so 48,000 bytes a second. */
export const pcmSeconds = (bytes: number) => bytes / 48_000;

/**
 * A recording's seconds guessed from its size, when neither its container nor decoding it says (no ffmpeg on the
 * server): 16 kB a second, the 128 kbit/s browsers record Opus at by default. A lower bitrate is undercounted.
 */
export const estimateRecordingSeconds = (bytes: number) => bytes / 16_000;

/**
 * Counts a provider's speech as it passes: the seconds it came to when its format says (WAV, PCM), else
 * undefined (MP3, Opus, AAC, FLAC: the reservation's estimate stands).
 */
export class SpeechMeter {
  private bytes = 0;
  private head = Buffer.alloc(0);

  constructor(private readonly format: string) {}

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.head.length < 256) this.head = Buffer.concat([this.head, Buffer.from(chunk.subarray(0, 256 - this.head.length))]);
  }

  seconds(): number | undefined {
    if (this.format === "pcm") return pcmSeconds(this.bytes);
    if (this.format === "wav") return wavSeconds(this.head, this.bytes);
    return undefined;
  }
}
