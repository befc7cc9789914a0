import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayError } from "@benih/gateway";

/** ffprobe gives up after this: a hostile file must not hold a request. */
const PROBE_MS = 10_000;

const notAudio = (why: string) =>
  new GatewayError(400, "invalid_request_error", `file: not an audio recording benih can read (${why})`, "invalid_audio", "file");

/** ffprobe's duration of a file, in seconds; undefined without ffprobe on the server. */
function probe(path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), PROBE_MS);
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", (e: NodeJS.ErrnoException) => (clearTimeout(timer), e.code === "ENOENT" ? resolve(undefined) : reject(e)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal) return reject(notAudio("reading it took too long"));
      const seconds = Number.parseFloat(out.trim());
      if (code !== 0 || !Number.isFinite(seconds)) return reject(notAudio(err.trim().split("\n")[0]?.slice(0, 120) || "no duration"));
      resolve(seconds);
    });
  });
}

/**
 * Checks an upload before a provider is paid to transcribe it: not empty, an audio or video container ffprobe can
 * read (in a child process, with a time limit), and no longer than `maxSeconds` (413). Without ffprobe only the
 * size is checked.
 */
export async function checkAudio(bytes: Buffer, maxSeconds: number): Promise<number | undefined> {
  if (!bytes.length) throw new GatewayError(400, "invalid_request_error", "file: the recording is empty", "invalid_audio", "file");
  const dir = await mkdtemp(join(tmpdir(), "benih-audio-"));
  try {
    const path = join(dir, "upload");
    await writeFile(path, bytes);
    const seconds = await probe(path);
    if (seconds !== undefined && seconds > maxSeconds)
      throw new GatewayError(
        413,
        "invalid_request_error",
        `file: the recording is ${Math.round(seconds / 60)} min long; this server transcribes at most ${Math.round(maxSeconds / 60)} min (limits.audio.maxMinutes)`,
        "audio_too_long",
        "file",
      );
    return seconds;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
