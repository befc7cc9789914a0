import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { seedStarterCorpus, STREAM_TOUCH_MS } from "@benih/assistant";
import { GatewayError, scopeOf } from "@benih/gateway";
import type { Provider } from "@benih/spec";
import { Store, type StoreLocation } from "@benih/store";
import type { FastifyBaseLogger, FastifyRequest } from "fastify";
import type { BenihConfig } from "../config/schema.ts";
import { marketsOf, openMarkets, type MarketRuntime } from "../markets.ts";
import { leasedDuty } from "./leased-duty.ts";
import type { Closers } from "./lifecycle.ts";

/** benih's own docs, searchable from the first start. */
const starterCorpus = ["README.md", "DATASETS.md"]
  .map((p) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url)))
  .filter((p) => existsSync(p));

/** The home store (API keys; without markets, everything), registered for closing. */
export async function openHomeStore(config: BenihConfig, home: StoreLocation, cwd: string, closers: Closers) {
  // Built before any store opens, so a market config error leaves nothing half-open.
  const markets = config.markets.length ? marketsOf(config, home, cwd) : undefined;
  const store = await Store.open(home);
  closers.push(() => store.close());
  return { store, markets };
}

/** BENIH_ADMIN_KEY as an admin key; a warning when keys are required and none exist. */
export async function ensureAdminKey(store: Store, env: NodeJS.ProcessEnv, authRequired: boolean, log?: FastifyBaseLogger): Promise<void> {
  const adminKey = env.BENIH_ADMIN_KEY?.trim();
  if (adminKey) await store.apiKeys.ensure(adminKey, "BENIH_ADMIN_KEY", "admin");
  if (authRequired && (await store.apiKeys.countLive()) === 0) {
    log?.warn("API keys are required but none exist: run `benih keys create` or set BENIH_ADMIN_KEY");
  }
}

/** Each market's own store, registered for closing. */
export async function openMarketStores(
  markets: ReturnType<typeof marketsOf> | undefined,
  providers: ReadonlyMap<string, Provider>,
  closers: Closers,
  log?: FastifyBaseLogger,
): Promise<MarketRuntime | undefined> {
  const runtime = markets && (await openMarkets(markets, providers, log));
  if (runtime) closers.push(() => runtime.close());
  return runtime;
}

/** Every store the server writes conversations to: the home store and each market's. */
export const allStores = (store: Store, markets: MarketRuntime | undefined): Store[] => [store, ...(markets?.stores.values() ?? [])];

/**
 * After a start: answers cut off by a crash are marked interrupted, and the starter corpus is indexed. In a store
 * other instances may share (PostgreSQL), an answer "streaming" may be another instance's: those are left to the
 * leased sweep, which marks the ones no instance has written for a while.
 */
export async function recoverStores(stores: Store[], holder: string, closers: Closers, log?: FastifyBaseLogger): Promise<void> {
  for (const s of stores) {
    if (s.location.dialect === "sqlite") {
      const cut = await s.conversations.interruptStreaming();
      if (cut)
        log?.warn({ store: s.describe(), answers: cut }, "answers that were streaming when the server stopped are marked interrupted");
    } else {
      const work = async () => {
        const now = Date.now();
        const cut = await s.conversations.interruptStreaming(now, now - 3 * STREAM_TOUCH_MS);
        if (cut) log?.warn({ store: s.describe(), answers: cut }, "answers whose instance stopped streaming them are marked interrupted");
      };
      const onError = (err: Error) => log?.error({ err, store: s.describe() }, "could not mark cut-off answers interrupted");
      await leasedDuty({ store: s, name: "cut-answers", holder, everyMs: STREAM_TOUCH_MS, work, onError }, closers);
    }
    // Instances starting together on a new store index it once: the one that takes the lease does (files already
    // indexed are skipped, so a start after one that died halfway finishes the job).
    if (await s.leases.tryAcquire("starter-corpus", holder, 600_000))
      await seedStarterCorpus(s.knowledge, starterCorpus).catch((err: Error) => log?.error({ err }, "could not index the starter corpus"));
  }
}

/** The store of a request's market (each market's data stays in its own), or the home store without markets. */
export function storeOfRequest(store: Store, markets: MarketRuntime | undefined): (request: FastifyRequest) => Store {
  return (request) => {
    const { market } = scopeOf(request);
    if (!markets) return store;
    const own = market && markets.stores.get(market);
    if (!own) throw new GatewayError(500, "server_error", `no store for market ${market ?? "(none)"}`, "no_market_store");
    return own;
  };
}
