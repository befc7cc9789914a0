import { GatewayError } from "@benih/gateway";
import { estimateSpeechSeconds, wavSeconds } from "./audio-seconds.ts";
import { SPEECH_FORMATS, type SpeechFormat } from "./formats.ts";
import { runTool } from "./tool.ts";

/** Longer than any synthesis of 4,096 characters takes (about 0.01 s per sentence here): a stuck process is killed. */
const TIMEOUT_MS = 20_000;

/** Runs `bin` with `input` on stdin: its stdout; rejects with its stderr, or with ENOENT when it is not installed. */
async function run(bin: string, args: string[], input: Buffer | string): Promise<Buffer> {
  const done = await runTool(bin, args, { timeoutMs: TIMEOUT_MS, input });
  if (!done) throw Object.assign(new Error(`${bin} is not installed`), { code: "ENOENT" });
  if (done.code === 0) return done.out;
  throw new Error(`${bin} ${done.signal ? `was killed (${done.signal})` : `exited ${done.code}`}: ${done.err.slice(0, 300)}`);
}

/**
 * Speaks `text` offline with espeak-ng (the `espeak-ng` model): a WAV of the voice at `speed` (1 = espeak's 175 words a
 * minute), turned into `format` by ffmpeg, and its exact length in seconds (read from the WAV). The text goes on
 * stdin, never as an argument.
 */
export async function espeakSpeech(
  text: string,
  voice: string,
  speed: number,
  format: SpeechFormat,
): Promise<{ audio: Buffer; seconds: number }> {
  let wav: Buffer;
  try {
    wav = await run("espeak-ng", ["-v", voice, "-s", String(Math.round(175 * speed)), "--stdout", "-b", "1"], text);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw new GatewayError(
      503,
      "server_error",
      missing ? "Speech without a provider needs espeak-ng installed on the server (apt-get install espeak-ng)." : (err as Error).message,
      missing ? "speech_not_configured" : "speech_failed",
    );
  }
  const seconds = wavSeconds(wav, wav.length) ?? estimateSpeechSeconds(text, speed);
  if (format === "wav") return { audio: wav, seconds };
  try {
    const audio = await run(
      "ffmpeg",
      ["-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0", ...SPEECH_FORMATS[format].ffmpeg, "pipe:1"],
      wav,
    );
    return { audio, seconds };
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw new GatewayError(
      503,
      "server_error",
      missing
        ? `Speech as ${format} needs ffmpeg installed on the server; response_format wav needs nothing more.`
        : (err as Error).message,
      missing ? "speech_not_configured" : "speech_failed",
    );
  }
}
