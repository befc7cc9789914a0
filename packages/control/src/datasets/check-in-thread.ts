import { Worker } from "node:worker_threads";
import { type CheckLimits, type CheckResult, defaultCheckLimits } from "./check.ts";

export interface ThreadLimits extends CheckLimits {
  timeoutMs: number;
  memoryMb: number;
}

export const defaultThreadLimits: ThreadLimits = { ...defaultCheckLimits, timeoutMs: 10 * 60_000, memoryMb: 1024 };

/**
 * `checkDatasetFile` on a thread of its own, so that a large or hostile file never stalls the agent (which may be
 * the server's own): given up after `timeoutMs`, or when it needs more than `memoryMb`, with that as the error.
 */
export function checkInThread(file: string, limits: ThreadLimits = defaultThreadLimits): Promise<CheckResult> {
  const { timeoutMs, memoryMb, ...check } = limits;
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./check-worker.mjs", import.meta.url), {
      workerData: { file, limits: check },
      // Not the parent's flags: the entry loads tsx itself.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    let settled = false;
    const finish = (err: Error | undefined, result?: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate().finally(() => (err ? reject(err) : resolve(result!)));
    };
    const timer = setTimeout(() => finish(new Error(`checking it took longer than ${timeoutMs / 1000} s, the limit`)), timeoutMs);
    worker.once("message", (m: { ok: true; result: CheckResult } | { ok: false; message: string }) =>
      m.ok ? finish(undefined, m.result) : finish(new Error(m.message)),
    );
    worker.once("error", (err: Error & { code?: string }) =>
      finish(err.code === "ERR_WORKER_OUT_OF_MEMORY" ? new Error(`checking it needs more than ${memoryMb} MB of memory, the limit`) : err),
    );
    worker.once("exit", (code) => finish(new Error(`the thread checking it stopped (exit code ${code}) without an answer`)));
  });
}
