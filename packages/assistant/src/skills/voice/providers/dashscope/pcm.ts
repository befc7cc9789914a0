import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayError } from "@benih/gateway";
import { firstLine, runTool } from "../../tool.ts";

/** Paraformer's input here: 16 kHz, 16-bit signed little-endian, mono. */
export const PCM_RATE = 16_000;
export const PCM_BYTES_PER_SECOND = PCM_RATE * 2;

/** A stuck ffmpeg is killed after this (30 minutes of audio converts in seconds). */
const FFMPEG_MS = 60_000;

/**
 * Any recording ffmpeg reads (WAV, MP3, a browser's WebM/Opus, MP4) as raw 16 kHz mono PCM. The upload goes through
 * a file, not a pipe, so containers that keep their index at the end (MP4) are read too.
 */
export async function toPcm16k(bytes: Buffer): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "benih-pcm-"));
  try {
    const path = join(dir, "upload");
    await writeFile(path, bytes);
    return await ffmpeg([
      "-hide_banner",
      "-loglevel",
      "error",
      // A playlist upload must not make ffmpeg open anything but the upload itself.
      "-protocol_whitelist",
      "file",
      "-i",
      path,
      "-vn",
      "-f",
      "s16le",
      "-ac",
      "1",
      "-ar",
      String(PCM_RATE),
      "pipe:1",
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function ffmpeg(args: string[]): Promise<Buffer> {
  const run = await runTool("ffmpeg", args, { timeoutMs: FFMPEG_MS });
  if (!run)
    throw new GatewayError(503, "server_error", "Transcription with dashscope needs ffmpeg installed on the server.", "ffmpeg_missing");
  if (run.code === 0) return run.out;
  const why = run.signal ? "reading it took too long" : firstLine(run.err, `ffmpeg exited ${run.code}`);
  throw new GatewayError(400, "invalid_request_error", `file: benih could not decode the recording (${why})`, "invalid_audio", "file");
}
