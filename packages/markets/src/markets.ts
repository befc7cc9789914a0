import { AllowList } from "./allow-list.ts";
import { ContentPolicy } from "./policy.ts";
import type { MarketProfile } from "./profile.ts";

/** A profile with its allow-list and policy compiled. */
export interface Market {
  profile: MarketProfile;
  allow: AllowList;
  policy: ContentPolicy;
}

export interface ResolveInput {
  /** The Host header as sent (port and IPv6 brackets allowed). */
  host: string | undefined;
  /** The market the presented key belongs to; null for a key of no market (admin), undefined without a key. */
  keyMarket?: string | null;
  /** An operator's key (an admin key of no market): it may choose any market by header. */
  isAdmin: boolean;
  /** The `x-benih-market` header. */
  header?: string;
}

export type Resolution =
  | { market: Market; by: "header" | "key" | "host" | "default" }
  | { refused: { status: 400 | 403 | 421; code: string; message: string } };

/** `cn.localhost:8080` → `cn.localhost`; `[::1]:80` → `::1`. */
export function hostName(host: string | undefined): string {
  if (!host) return "";
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  const colon = h.indexOf(":");
  return (colon >= 0 && h.indexOf(":", colon + 1) < 0 ? h.slice(0, colon) : h).replace(/\.$/, "");
}

/** The configured markets; resolves every request to exactly one of them, or refuses it. */
export class Markets {
  private readonly byIdMap = new Map<string, Market>();
  private readonly byHost = new Map<string, Market>();

  constructor(
    profiles: readonly MarketProfile[],
    /** Where requests for a host no market names go; without it they are refused. */
    readonly defaultMarket?: string,
  ) {
    for (const p of profiles) {
      if (this.byIdMap.has(p.id)) throw new Error(`two markets are named "${p.id}"`);
      const m: Market = { profile: p, allow: new AllowList(p.allow), policy: new ContentPolicy(p.policy.blocked) };
      this.byIdMap.set(p.id, m);
      for (const h of p.hosts) {
        const name = hostName(h);
        const other = this.byHost.get(name);
        if (other) throw new Error(`host ${name} is listed by both market "${other.profile.id}" and market "${p.id}"`);
        this.byHost.set(name, m);
      }
    }
    if (defaultMarket !== undefined && !this.byIdMap.has(defaultMarket)) {
      throw new Error(`the default market "${defaultMarket}" is not one of the markets (${this.ids().join(", ")})`);
    }
  }

  ids(): string[] {
    return [...this.byIdMap.keys()];
  }

  list(): Market[] {
    return [...this.byIdMap.values()];
  }

  get(id: string): Market | undefined {
    return this.byIdMap.get(id);
  }

  forHost(host: string | undefined): Market | undefined {
    return this.byHost.get(hostName(host));
  }

  resolve(r: ResolveInput): Resolution {
    const refuse = (status: 400 | 403 | 421, code: string, message: string): Resolution => ({ refused: { status, code, message } });
    const atHost = this.forHost(r.host);
    if (r.header !== undefined) {
      if (!r.isAdmin)
        return refuse(
          403,
          "market_header_admin_only",
          "Only operators (admin keys of no market) may choose a market with the x-benih-market header.",
        );
      const m = this.byIdMap.get(r.header.trim());
      if (!m) return refuse(400, "unknown_market", `There is no market "${r.header}"; markets: ${this.ids().join(", ")}.`);
      return { market: m, by: "header" };
    }
    if (r.keyMarket) {
      const m = this.byIdMap.get(r.keyMarket);
      if (!m) return refuse(403, "market_not_configured", `This API key belongs to market "${r.keyMarket}", which is not configured here.`);
      if (atHost && atHost !== m) {
        return refuse(
          403,
          "wrong_market",
          `This API key belongs to market "${m.profile.id}"; ${hostName(r.host)} serves market "${atHost.profile.id}".`,
        );
      }
      return { market: m, by: "key" };
    }
    if (atHost) return { market: atHost, by: "host" };
    const fallback = this.defaultMarket !== undefined ? this.byIdMap.get(this.defaultMarket) : undefined;
    if (fallback) return { market: fallback, by: "default" };
    return refuse(
      421,
      "no_market",
      `No market serves host "${hostName(r.host)}" (they answer to ${[...this.byHost.keys()].join(", ")}): add "${hostName(r.host)}" to a market's \`hosts:\` in benih.yaml, or set \`defaultMarket:\` to a market's id.`,
    );
  }
}
