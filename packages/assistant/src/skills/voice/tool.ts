import { spawn } from "node:child_process";

/** How a tool run ended: what it wrote, its exit code, or the signal that killed it (the time limit's SIGKILL). */
export interface ToolRun {
  out: Buffer;
  err: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs one of the audio tools the server may have (espeak-ng, ffmpeg, ffprobe) with `input` on stdin, killed after
 * `timeoutMs`: how it ended, or undefined when it is not installed. Arguments never carry what a user sent.
 */
export function runTool(bin: string, args: string[], o: { timeoutMs: number; input?: Buffer | string }): Promise<ToolRun | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === "ENOENT") resolve(undefined);
      else reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ out: Buffer.concat(out), err, code, signal });
    });
    child.stdin.on("error", () => {}); // a process that died early: its exit says why
    child.stdin.end(o.input);
  });
}

/** The first line of what a tool said on stderr, short enough to quote in an error. */
export const firstLine = (err: string, otherwise: string) => err.trim().split("\n")[0]?.slice(0, 160) || otherwise;
