import { spawn } from "node:child_process";
import { GatewayError } from "@benih/gateway";
import { wavSeconds } from "./audio-seconds.ts";
import { SPEECH_FORMATS, type SpeechFormat } from "./formats.ts";

/** Longer than any synthesis of 4,096 characters takes (about 0.01 s per sentence here): a stuck process is killed. */
const TIMEOUT_MS = 20_000;

/** Runs `bin` with `input` on stdin; its stdout, or a rejection with its stderr. Killed after TIMEOUT_MS. */
function run(bin: string, args: string[], input: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => (clearTimeout(timer), reject(e)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(new Error(`${bin} ${signal ? `was killed (${signal})` : `exited ${code}`}: ${Buffer.concat(err).toString().slice(0, 300)}`));
    });
    child.stdin.on("error", () => {}); // a process that died early: its exit says why
    child.stdin.end(input);
  });
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
  const seconds = wavSeconds(wav, wav.length) ?? 0;
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
