import type { Store } from "@benih/store";
import type { Closers } from "./lifecycle.ts";

/**
 * Does `work` on `store` now and every `everyMs`, on the one instance of those sharing the store that holds the
 * duty's lease (renewed each time; a dead holder's runs out within one period). Errors go to `onError`. Resolves
 * when the first run is over.
 */
export function leasedDuty(
  o: { store: Store; name: string; holder: string; everyMs: number; work: () => Promise<void>; onError: (err: Error) => void },
  closers: Closers,
): Promise<void> {
  const run = async () => {
    try {
      if (await o.store.leases.tryAcquire(o.name, o.holder, o.everyMs + o.everyMs / 2)) await o.work();
    } catch (err) {
      o.onError(err as Error);
    }
  };
  const timer = setInterval(run, o.everyMs);
  timer.unref();
  closers.push(async () => clearInterval(timer));
  return run();
}
