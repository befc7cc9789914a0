import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayError } from "@benih/gateway";

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

function ffmpeg(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("ffmpeg", args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), FFMPEG_MS);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        e.code === "ENOENT"
          ? new GatewayError(503, "server_error", "Transcription with dashscope needs ffmpeg installed on the server.", "ffmpeg_missing")
          : e,
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(Buffer.concat(out));
      const why = signal ? "reading it took too long" : err.trim().split("\n")[0]?.slice(0, 160) || `ffmpeg exited ${code}`;
      reject(
        new GatewayError(400, "invalid_request_error", `file: benih could not decode the recording (${why})`, "invalid_audio", "file"),
      );
    });
  });
}
