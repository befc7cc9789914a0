import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayError } from "@benih/gateway";
import { firstLine, runTool } from "./tool.ts";

/** ffprobe gives up after this: a hostile file must not hold a request. */
const PROBE_MS = 10_000;

const notAudio = (why: string) =>
  new GatewayError(400, "invalid_request_error", `file: not an audio recording benih can read (${why})`, "invalid_audio", "file");

/** Runs ffprobe or ffmpeg on a file with PROBE_MS to finish; undefined when it is not installed. */
async function ffTool(bin: string, args: string[]) {
  const run = await runTool(bin, args, { timeoutMs: PROBE_MS });
  if (run?.signal) throw notAudio("reading it took too long");
  return run && { out: run.out.toString(), err: run.err, code: run.code };
}

/**
 * A file's length in seconds: what its container says (ffprobe), else, for a container that does not say (a
 * browser's WebM, written as it records), what decoding it all with ffmpeg comes to. Undefined without ffprobe
 * or ffmpeg on the server.
 */
async function probe(path: string): Promise<number | undefined> {
  const probed = await ffTool("ffprobe", [
    "-v",
    "error",
    "-protocol_whitelist",
    "file",
    "-show_entries",
    "format=duration",
    "-of",
    "csv=p=0",
    path,
  ]);
  if (!probed) return undefined;
  if (probed.code !== 0) throw notAudio(firstLine(probed.err, "no duration"));
  const said = Number.parseFloat(probed.out.trim());
  if (Number.isFinite(said)) return said;
  // ffmpeg's -progress reports how far it decoded (out_time_us); its last report is the whole recording.
  const decoded = await ffTool("ffmpeg", [
    "-nostdin",
    "-v",
    "error",
    "-protocol_whitelist",
    "file",
    "-i",
    path,
    "-map",
    "0:a:0",
    "-f",
    "null",
    "-progress",
    "pipe:1",
    "-",
  ]);
  if (!decoded) return undefined;
  const us = [...decoded.out.matchAll(/^out_time_us=(\d+)$/gm)].at(-1)?.[1];
  if (decoded.code !== 0 || us === undefined) throw notAudio(firstLine(decoded.err, "no duration"));
  return Number(us) / 1e6;
}

/**
 * Checks an upload before a provider is paid to transcribe it: not empty, an audio or video container ffprobe can
 * read (in a child process, with a time limit), and no longer than `maxSeconds` (413). Its length in seconds;
 * without ffprobe and ffmpeg only the size is checked, and the length is undefined.
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
