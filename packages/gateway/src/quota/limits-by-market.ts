import type { QuotaLimits } from "@benih/contracts";
import type { Principal } from "../http/auth.ts";
import type { QuotaPolicy } from "../ports.ts";
import type { RequestScope } from "../scope.ts";

/**
 * benih.yaml's limits: each market's `quota`, field by field over the server-wide `quota` (which alone applies
 * without markets), and under both a person's own limits (set by an admin), field by field.
 */
export class LimitsByMarket implements QuotaPolicy {
  private readonly merged = new Map<string, QuotaLimits>();

  constructor(
    private readonly defaults: QuotaLimits | undefined,
    perMarket: Iterable<[string, QuotaLimits | undefined]> = [],
  ) {
    for (const [market, limits] of perMarket) if (limits) this.merged.set(market, { ...defaults, ...limits });
  }

  limitsFor(principal: Principal, scope: RequestScope): QuotaLimits | undefined {
    return this.of(scope.market ?? null, principal.person?.quota ?? null);
  }

  /** The limits of a person of `market` with their own limits `own` (null: the market's alone). */
  of(market: string | null, own: QuotaLimits | null): QuotaLimits | undefined {
    const limits = (market !== null && this.merged.get(market)) || this.defaults;
    return own ? { ...limits, ...own } : limits;
  }
}
