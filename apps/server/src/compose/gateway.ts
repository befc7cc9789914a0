import {
  Authenticator,
  defaultRetryPolicy,
  isVisible,
  LimitsByMarket,
  MemoryCounters,
  ModelCatalog,
  PriceTable,
  QuotaGate,
  RedisCounters,
  Router,
  type RequestScope,
} from "@benih/gateway";
import type { AccountDirectory } from "@benih/accounts";
import { BufferedRequestLogWriter } from "@benih/store";
import type { FastifyBaseLogger } from "fastify";
import type { BenihConfig } from "../config/schema.ts";
import type { MarketRuntime } from "../markets.ts";
import type { ProviderSet } from "../providers.ts";
import type { Closers } from "./lifecycle.ts";

/** Routes (configured ones first, then one per local model), the router over the providers, and their catalog. */
export async function buildRouting(config: BenihConfig, set: ProviderSet, closers: Closers, log?: FastifyBaseLogger) {
  const configured = new Set(config.routes.map((r) => r.model));
  const routes = [...config.routes, ...set.localRoutes.filter((r) => !configured.has(r.model))];
  const router = new Router(set.providers, routes, set.missingHint);
  const catalog = new ModelCatalog(router, set.providers, set.unprefixed);
  await catalog.refresh();
  for (const [name, problem] of catalog.problems) log?.warn({ provider: name }, `cannot list models: ${problem}`);
  const refresher = setInterval(() => void catalog.refresh(), 10 * 60_000);
  refresher.unref();
  closers.push(async () => clearInterval(refresher));
  /** The models a request's market may use, in catalog order. */
  const visibleModels = (scope: RequestScope) =>
    catalog
      .list()
      .map((m) => m.id)
      .filter((id) => isVisible(router, scope, id));
  return { router, catalog, visibleModels };
}

/** Who calls (API keys and sessions), what it costs, how upstreams are retried, and where requests are logged without markets. */
export function gatewayPolicies(
  config: BenihConfig,
  set: ProviderSet,
  directory: AccountDirectory,
  markets: MarketRuntime | undefined,
  authRequired: boolean,
  closers: Closers,
  log?: FastifyBaseLogger,
) {
  const requestLog = markets
    ? undefined
    : new BufferedRequestLogWriter(directory.storeOf(null)!.requestLog, (err, lost) =>
        log?.error({ err, lost }, "could not write the request log"),
      );
  if (requestLog) closers.push(() => requestLog.flush());
  const auth = new Authenticator(directory, authRequired, 1_000, directory, directory);
  closers.push(() => auth.close());
  const retry = {
    ...defaultRetryPolicy,
    ...Object.fromEntries(Object.entries(config.retry).filter(([, v]) => v !== undefined)),
  };
  return { requestLog, auth, retry, prices: new PriceTable(config.prices, new Set(set.unprefixed)) };
}

/**
 * The quota gate when benih.yaml sets any quota (none: no gate, nothing on the hot path). Counters are shared
 * through Redis when REDIS_URL is set, else kept in this process.
 */
export async function openQuotaGate(config: BenihConfig, env: NodeJS.ProcessEnv, closers: Closers, log?: FastifyBaseLogger) {
  const perMarket = config.markets.map((m) => [m.id, m.quota] as [string, BenihConfig["quota"]]);
  if (!config.quota && !perMarket.some(([, q]) => q)) return undefined;
  const url = env.REDIS_URL?.trim();
  const counters = url
    ? await RedisCounters.open(url, (err) =>
        log?.error({ err: err.message }, "quota counters: Redis cannot be reached; requests with limits are refused (503)"),
      )
    : new MemoryCounters();
  const gate = new QuotaGate(counters, new LimitsByMarket(config.quota, perMarket), {
    onSettleError: (err) =>
      log?.warn(
        { err: err.message },
        "quota counters: a request's reservation could not be settled; it stays counted until its window ends",
      ),
  });
  closers.push(() => gate.close());
  return gate;
}
