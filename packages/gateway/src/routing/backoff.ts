import type { CancelSource } from "./cancel-source.ts";

/** Exponential backoff with jitter: base·2^attempt scaled by a random factor in [0.5, 1.5), capped. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  return Math.min(capMs, baseMs * 2 ** attempt * (0.5 + random()));
}

/** Resolves after `ms`, or rejects as soon as `cancel` fires. */
export function sleep(ms: number, cancel: CancelSource): Promise<void> {
  return new Promise((resolve, reject) => {
    if (cancel.aborted) return reject(new Error("cancelled"));
    const t = setTimeout(() => {
      off();
      resolve();
    }, ms);
    const off = cancel.onCancel(() => {
      clearTimeout(t);
      reject(new Error("cancelled"));
    });
  });
}
