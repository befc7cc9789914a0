import type { Store } from "@benih/store";
import type { Closers } from "./lifecycle.ts";

/**
 * Does `work` on `store` now and then `everyMs` after each run ends, on the one instance of those sharing the store
 * that holds the duty's lease (taken or renewed before each run, for one and a half periods: a dead holder's runs
 * out soon after). Errors go to `onError`. Resolves when the first run is over.
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
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const again = () => {
    if (stopped) return;
    timer = setTimeout(() => void run().then(again), o.everyMs);
    timer.unref();
  };
  closers.push(async () => {
    stopped = true;
    clearTimeout(timer);
  });
  return run().then(again);
}
