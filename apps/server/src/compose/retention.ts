import type { Store } from "@benih/store";
import type { FastifyBaseLogger } from "fastify";
import type { MarketRuntime } from "../markets.ts";
import { leasedDuty } from "./leased-duty.ts";
import type { Closers } from "./lifecycle.ts";

/**
 * Hourly, each store deletes what its retention has passed: a market's request log and audit rows older than its
 * `retentionDays`, and ended sessions (the home store without markets: ended sessions only). Of the instances
 * sharing a store, the one holding its `retention` lease does it.
 */
export function startRetention(
  home: Store,
  markets: MarketRuntime | undefined,
  holder: string,
  closers: Closers,
  log?: FastifyBaseLogger,
): void {
  const duties: Array<{ market?: string; store: Store; prune: () => Promise<number> }> = markets
    ? [...markets.stores].map(([market, store]) => {
        const days = markets.markets.get(market)!.profile.retentionDays;
        return { market, store, prune: () => store.prune(Date.now() - days * 86_400_000) };
      })
    : [{ store: home, prune: () => home.accounts.prune() }];
  for (const { market, store, prune } of duties) {
    const work = async () => {
      const rows = await prune();
      if (rows) log?.info({ market, rows }, "retention: deleted old rows");
    };
    const onError = (err: Error) => log?.error({ err, market }, "retention: could not delete old rows");
    void leasedDuty({ store, name: "retention", holder, everyMs: 3_600_000, work, onError }, closers);
  }
}
