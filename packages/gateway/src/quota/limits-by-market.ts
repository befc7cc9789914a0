import type { QuotaLimits } from "@benih/contracts";
import type { QuotaPolicy } from "../ports.ts";
import type { RequestScope } from "../scope.ts";

/**
 * benih.yaml's limits: each market's `quota`, field by field over the server-wide `quota` (which alone applies
 * without markets). Every key of a market is held to the same limits; per-person overrides come with accounts.
 */
export class LimitsByMarket implements QuotaPolicy {
  private readonly merged = new Map<string, QuotaLimits>();

  constructor(
    private readonly defaults: QuotaLimits | undefined,
    perMarket: Iterable<[string, QuotaLimits | undefined]> = [],
  ) {
    for (const [market, limits] of perMarket) if (limits) this.merged.set(market, { ...defaults, ...limits });
  }

  limitsFor(_principal: unknown, scope: RequestScope): QuotaLimits | undefined {
    return (scope.market !== undefined && this.merged.get(scope.market)) || this.defaults;
  }
}
