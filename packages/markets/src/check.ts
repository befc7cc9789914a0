import type { Markets } from "./markets.ts";
import { hostName } from "./markets.ts";

export interface ProviderInfo {
  /** Where the provider processes requests ("cn", "global", …); "local" or undefined: on this server. */
  region?: string;
}

export interface Finding {
  market: string;
  level: "error" | "warning";
  message: string;
}

const storeKey = (s: { sqlite: string } | { postgres: string; schema?: string }) =>
  "sqlite" in s ? `sqlite:${s.sqlite}` : `postgres:${s.postgres.replace(/\/\/[^@/]*@/, "//")}#${s.schema ?? ""}`;

/**
 * What `benih markets check` reports: a market whose allow-list reaches a provider in another region, names a
 * provider that is not configured, or has defaults it may not use; two markets sharing a store.
 */
export function checkMarkets(
  markets: Markets,
  env: {
    providers: ReadonlyMap<string, ProviderInfo>;
    /** What to set to configure a provider. */
    hint: (provider: string) => string;
    /** The targets a model name routes to (the gateway's router); undefined when it routes nowhere. */
    targets: (model: string) => Array<{ provider: string; model: string }> | undefined;
  },
): Finding[] {
  const { providers, hint } = env;
  const out: Finding[] = [];
  const stores = new Map<string, string>();
  for (const { profile: p, allow } of markets.list()) {
    const add = (level: Finding["level"], message: string) => out.push({ market: p.id, level, message });
    for (const name of allow.providers()) {
      if (name === "*") {
        add("warning", `allows "*/*": every provider, in every region`);
        continue;
      }
      const info = providers.get(name);
      if (!info) {
        add("warning", `allows ${name}, which is not configured (${hint(name)})`);
        continue;
      }
      if (info.region && info.region !== "local" && info.region !== p.region) {
        add("warning", `allows provider ${name}, whose region ${info.region} lies outside the market's region ${p.region}`);
      }
    }
    for (const [skill, model] of Object.entries(p.defaults)) {
      const targets = env.targets(model);
      if (!targets) add("error", `default ${skill} model ${model} is not a model benih can route`);
      else if (!targets.some((t) => allow.allows(t.provider, t.model)))
        add("error", `default ${skill} model ${model} is not in the market's allow-list`);
    }
    const mod = p.policy.moderation;
    if (mod && !allow.allows(mod.slice(0, mod.indexOf("/")), mod.slice(mod.indexOf("/") + 1))) {
      add("error", `moderation model ${mod} is not in the market's allow-list: inputs may only go where it allows`);
    }
    for (const locale of p.locales) {
      if (!p.policy.refusal[locale]) add("warning", `has no refusal message in ${locale}; ${p.defaultLocale}'s is shown`);
    }
    if (!p.locales.includes(p.defaultLocale))
      add("error", `default locale ${p.defaultLocale} is not one of its locales (${p.locales.join(", ")})`);
    const key = storeKey(p.store);
    const other = stores.get(key);
    if (other) add("error", `shares its store with market ${other}: each market needs its own`);
    stores.set(key, p.id);
    if (!p.hosts.length && markets.defaultMarket !== p.id) add("warning", "has no hosts: only its API keys (or admins) reach it");
    for (const h of p.hosts)
      if (hostName(h) !== h.toLowerCase()) add("warning", `host "${h}" is matched as "${hostName(h)}" (ports are ignored)`);
  }
  return out;
}
