import assert from "node:assert/strict";

/**
 * Runs `work` while asking the server's /health every 50 ms; its result, the slowest /health answer and how long
 * the work took, in ms. Probes share the test's event loop, so only a real stall of the server shows.
 */
export async function probingHealth<T>(base: string, work: () => Promise<T>): Promise<{ result: T; worstHealthMs: number; ms: number }> {
  let worst = 0;
  let stop = false;
  const probe = (async () => {
    while (!stop) {
      const t = performance.now();
      assert.equal((await fetch(`${base}/health`)).status, 200);
      worst = Math.max(worst, performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t = performance.now();
  try {
    const result = await work();
    return { result, worstHealthMs: worst, ms: performance.now() - t };
  } finally {
    stop = true;
    await probe;
  }
}
