import type { Store } from "@benih/store";
import type { Closers } from "./lifecycle.ts";

/**
 * Does `work` on `store` now and then `everyMs` after each run ends, on the one instance of those sharing the store
 * that holds the duty's lease (taken or renewed before each run, for one and a half periods: a dead holder's runs
 * out soon after). While a run goes on the lease is renewed every third of its length, so a run longer than the
 * lease (embedding a large upload) keeps it and no other instance starts the duty meanwhile — unless a renewal comes
 * too late, which is reported and the run goes on (the work must bear two runs at once: the embedder's progress
 * refuses a batch another run stored first). Errors go to `onError`.
 * Resolves when the first run is over.
 */
export function leasedDuty(
  o: { store: Store; name: string; holder: string; everyMs: number; work: () => Promise<void>; onError: (err: Error) => void },
  closers: Closers,
): Promise<void> {
  const leaseMs = o.everyMs + o.everyMs / 2;
  const take = () => o.store.leases.tryAcquire(o.name, o.holder, leaseMs);
  const run = async () => {
    try {
      if (!(await take())) return;
      const renew = setInterval(
        () =>
          void take().then(
            (kept) => {
              // Lost only when a renewal came too late (the store away longer than the lease): say so.
              if (!kept) o.onError(new Error(`the lease on ${o.name} was taken by another instance during a run`));
            },
            (err: Error) => o.onError(err),
          ),
        leaseMs / 3,
      );
      renew.unref();
      try {
        await o.work();
      } finally {
        clearInterval(renew);
      }
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
