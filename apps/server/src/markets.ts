import type { MarketView } from "@benih/contracts";
import { dirname, resolve } from "node:path";
import { GatewayError, isOperator, type RequestScope, type ResolveScope } from "@benih/gateway";
import { localized, Markets, type Market, type MarketProfile } from "@benih/markets";
import type { Provider } from "@benih/spec";
import { BufferedRequestLogWriter, Store, type StoreLocation } from "@benih/store";
import type { FastifyBaseLogger } from "fastify";
import type { BenihConfig, MarketConfig } from "./config/schema.ts";

/** What anyone may know about the market serving them: the web app brands itself and picks its language from it. */
export function publicProfile(p: MarketProfile): MarketView {
  return {
    id: p.id,
    displayName: p.displayName,
    brand: p.brand,
    defaultLocale: p.defaultLocale,
    locales: p.locales,
    defaults: p.defaults,
    search: p.search,
  };
}

/** The markets of a config, each with its own open store and request log. */
export interface MarketRuntime {
  markets: Markets;
  stores: Map<string, Store>;
  resolveScope: ResolveScope;
  /** Writes every market's buffered request-log rows now. */
  flush(): Promise<void>;
  /** Flushes the logs and closes every market's store. */
  close(): Promise<void>;
}

export function toProfile(m: MarketConfig, home: StoreLocation, cwd: string): MarketProfile {
  const store: MarketProfile["store"] = m.store
    ? "sqlite" in m.store
      ? { sqlite: resolve(cwd, m.store.sqlite) }
      : { postgres: m.store.postgres, ...(m.store.schema && { schema: m.store.schema }) }
    : home.dialect === "postgres"
      ? { postgres: home.target, schema: `market_${m.id}` }
      : { sqlite: resolve(dirname(home.target), "markets", `${m.id}.db`) };
  return { ...m, store };
}

export const marketsOf = (config: BenihConfig, home: StoreLocation, cwd: string) =>
  new Markets(
    config.markets.map((m) => toProfile(m, home, cwd)),
    config.defaultMarket,
  );

/** The market's moderation check, refusing at start-up a moderation model the market could not use. */
function moderator(p: MarketProfile, allow: Market["allow"], providers: ReadonlyMap<string, Provider>): RequestScope["moderate"] {
  const target = p.policy.moderation;
  if (!target) return undefined;
  const [name, model] = [target.slice(0, target.indexOf("/")), target.slice(target.indexOf("/") + 1)];
  const provider = providers.get(name);
  if (!allow.allows(name, model))
    throw new Error(
      `market ${p.id}: policy.moderation ${target} is not in the market's allow-list, and inputs may only go where it allows`,
    );
  if (!provider?.moderate)
    throw new Error(
      `market ${p.id}: policy.moderation ${target}: ${provider ? `provider ${name} has no moderation API` : `provider ${name} is not configured`}`,
    );
  const check = provider.moderate.bind(provider);
  return async (text, signal) => {
    const r = await check(model, text, signal);
    return r.flagged ? { term: `moderation:${target}`, category: r.categories[0] ?? "flagged", excerpt: text.slice(0, 60) } : undefined;
  };
}

export const locationOf = (p: MarketProfile): StoreLocation =>
  "sqlite" in p.store
    ? { dialect: "sqlite", target: p.store.sqlite }
    : { dialect: "postgres", target: p.store.postgres, ...(p.store.schema && { schema: p.store.schema }) };

/**
 * Opens each market's own store and builds one request scope per market: its allow-list, its content policy,
 * its request log and audit table. A request only ever holds its own market's scope, so it cannot write
 * anywhere else.
 */
export async function openMarkets(
  markets: Markets,
  providers: ReadonlyMap<string, Provider>,
  log?: FastifyBaseLogger,
): Promise<MarketRuntime> {
  const stores = new Map<string, Store>();
  const writers: BufferedRequestLogWriter[] = [];
  const scopes = new Map<string, RequestScope>();
  const close = async () => {
    for (const w of writers) await w.flush();
    for (const s of stores.values()) await s.close();
  };
  try {
    for (const { profile: p, allow, policy } of markets.list()) {
      const moderate = moderator(p, allow, providers);
      const store = await Store.open(locationOf(p));
      stores.set(p.id, store);
      const requestLog = new BufferedRequestLogWriter(store.requestLog, (err, lost) =>
        log?.error({ err, lost, market: p.id }, "could not write the request log"),
      );
      writers.push(requestLog);
      scopes.set(p.id, {
        market: p.id,
        refuseTarget: (t) => (allow.allows(t.provider, t.model) ? undefined : `${t.provider}/${t.model} is not allowed in market ${p.id}`),
        scan: (text) => policy.scan(text),
        guard: () => (policy.holdBack ? policy.guard() : undefined),
        ...(moderate && { moderate }),
        refusal: localized(p.policy.refusal, p.defaultLocale, p.defaultLocale),
        requestLog,
        audit: (e) =>
          void store.policyAudit
            .record({ ...e, market: p.id })
            .catch((err: Error) => log?.error({ err, market: p.id }, "could not write a policy audit row")),
      });
    }
  } catch (err) {
    await close();
    throw err;
  }

  const resolveScope: ResolveScope = ({ host, headers, principal, serverWork }) => {
    const header = headers["x-benih-market"];
    const r = markets.resolve({
      host,
      isAdmin: isOperator(principal) || !!serverWork,
      ...(principal && { keyMarket: principal.market }),
      ...(typeof header === "string" && { header }),
    });
    if ("refused" in r) {
      const { status, code, message } = r.refused;
      throw new GatewayError(status, status === 403 ? "permission_error" : "invalid_request_error", message, code);
    }
    return scopes.get(r.market.profile.id)!;
  };
  const flush = async () => void (await Promise.all(writers.map((w) => w.flush())));
  return { markets, stores, resolveScope, flush, close };
}
