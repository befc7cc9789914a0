import type { QuotaLimits } from "@benih/contracts";
import { subjectOf, type Principal } from "../http/auth.ts";
import type { QuotaPolicy } from "../ports.ts";
import type { RequestScope } from "../scope.ts";
import type { CounterAsk, QuotaCounters } from "./counters.ts";
import { duration, quotaRefusal, quotaUnavailable, type Refusal } from "./refusals.ts";
import { windowsAt } from "./windows.ts";

/** Cost is counted in integer nano-USD, so counters stay integers (Redis INCRBY) and a cheap request still counts. */
const NANO = 1e9;

/** What one request may use at most (reserved), or did use (settled). */
export interface QuotaAmounts {
  /** 1 for a request the caller sent, 0 for a call the server makes for them (its request was counted already). */
  requests: number;
  tokens: number;
  costUsd: number;
  /** Seconds of audio, counted against audioSecondsPerDay only by requests that give them (the audio routes). */
  audioSeconds?: number;
}

/** A request's hold on its subject's quota: OpenAI's rate-limit headers, and the settle that replaces it by real use. */
export interface Reservation {
  headers: Record<string, string>;
  /** Replaces the reserved tokens, cost and audio seconds (when given) by these; only the first call counts. */
  settle(used: { tokens: number; costUsd: number; audioSeconds?: number }): void;
}

type WindowName = Refusal["window"];

/**
 * Reserve then settle. Before a request reaches an upstream, its most (a request, its prompt and longest answer,
 * their cost at the dearest target it may reach; for audio, the seconds heard or spoken) is added to its subject's counters for the current UTC minute,
 * day and month, all or nothing, and refused with a 429 if any would pass its limit. When it ends, the reservation
 * is replaced by what it really used. So a subject can pass a limit only by what requests in flight use beyond
 * what they reserved (an upstream that ignores max_tokens), never by what concurrent requests reserved.
 *
 * Fail closed: when the counters cannot be reached (Redis down), requests of subjects with limits are refused
 * with 503 quota_unavailable. Budgets exist to bound what is spent on rented models; serving unchecked while
 * Redis is away would let that spending pass them. Subjects without limits are served as usual.
 */
export class QuotaGate {
  private readonly onSettleError: (err: Error) => void;
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(
    private readonly counters: QuotaCounters,
    private readonly policy: QuotaPolicy,
    o: {
      /** A settle the counters refused (Redis away): the reservation stays counted until its window ends. */
      onSettleError?: (err: Error) => void;
      /** Before every counter's key (several benih deployments may share one Redis). */
      prefix?: string;
      /** The clock the windows are read from (tests fix it inside one minute). */
      now?: () => number;
    } = {},
  ) {
    this.onSettleError = o.onSettleError ?? (() => {});
    this.prefix = o.prefix ?? "benih:quota:";
    this.now = o.now ?? Date.now;
  }

  /** The limits of the request's subject, undefined for none (no principal: the owner of an open loopback server). */
  limitsOf(principal: Principal | undefined, scope: RequestScope): QuotaLimits | undefined {
    const limits = principal && this.policy.limitsFor(principal, scope);
    return limits && (limits.requestsPerMinute || limits.tokensPerDay || limits.costPerMonthUsd || limits.audioSecondsPerDay)
      ? limits
      : undefined;
  }

  /**
   * Holds the request's most against the subject's limits; undefined, not a promise, when it has none (the common
   * path costs no microtask). Rejects with the 429 or the 503.
   */
  reserve(principal: Principal | undefined, scope: RequestScope, maxOf: () => QuotaAmounts): Promise<Reservation> | undefined {
    const limits = this.limitsOf(principal, scope);
    return limits && this.hold(principal!, limits, maxOf());
  }

  private async hold(principal: Principal, limits: QuotaLimits, max: QuotaAmounts): Promise<Reservation> {
    const now = this.now();
    const w = windowsAt(now);
    // Hash-tagged by subject: on a Redis Cluster a subject's counters share a slot, as one script needs.
    const key = (id: string, what: string) => `${this.prefix}{${subjectOf(principal)}}:${id}:${what}`;
    const asks: Array<CounterAsk & { window: WindowName }> = [];
    if (limits.requestsPerMinute)
      asks.push({
        window: "requests",
        key: key(w.minute.id, "r"),
        amount: max.requests,
        limit: limits.requestsPerMinute,
        endsAt: w.minute.endsAt,
      });
    if (limits.tokensPerDay)
      asks.push({ window: "tokens", key: key(w.day.id, "t"), amount: max.tokens, limit: limits.tokensPerDay, endsAt: w.day.endsAt });
    if (limits.costPerMonthUsd)
      asks.push({
        window: "cost",
        key: key(w.month.id, "c"),
        amount: Math.ceil(max.costUsd * NANO),
        limit: Math.floor(limits.costPerMonthUsd * NANO),
        endsAt: w.month.endsAt,
      });
    if (limits.audioSecondsPerDay && max.audioSeconds !== undefined)
      asks.push({
        window: "audio-seconds",
        key: key(w.day.id, "a"),
        amount: Math.ceil(max.audioSeconds),
        limit: limits.audioSecondsPerDay,
        endsAt: w.day.endsAt,
      });
    // Nothing to count (a request whose subject limits only what it does not use): nothing to hold.
    if (!asks.length) return { headers: {}, settle: () => {} };
    const result = await this.counters.reserve(asks).catch((err: Error) => {
      throw quotaUnavailable(err);
    });
    const headers = rateLimitHeaders(asks, result.used, now);
    if (!result.ok) {
      const a = asks[result.refused]!;
      const refusal = quotaRefusal({
        window: a.window,
        limit: a.limit,
        used: result.used[result.refused]!,
        asked: a.amount,
        resetMs: a.endsAt - now,
      });
      refusal.headers = headers;
      throw refusal;
    }
    let settled = false;
    return {
      headers,
      settle: (used) => {
        if (settled) return;
        settled = true;
        const changes = asks.flatMap((a) =>
          a.window === "tokens"
            ? [{ key: a.key, delta: Math.max(0, Math.round(used.tokens)) - a.amount }]
            : a.window === "cost"
              ? [{ key: a.key, delta: Math.max(0, Math.round(used.costUsd * NANO)) - a.amount }]
              : a.window === "audio-seconds" && used.audioSeconds !== undefined
                ? [{ key: a.key, delta: Math.ceil(Math.max(0, used.audioSeconds)) - a.amount }]
                : [],
        );
        this.counters.adjust(changes).catch(this.onSettleError);
      },
    };
  }

  /** Rejects when the counters cannot be reached (readiness). */
  ping(): Promise<void> {
    return this.counters.ping();
  }

  close(): Promise<void> {
    return this.counters.close();
  }
}

/** OpenAI's `x-ratelimit-*` headers for the requests and tokens windows the subject has, and benih's for audio seconds. */
function rateLimitHeaders(asks: Array<CounterAsk & { window: WindowName }>, used: number[], now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  asks.forEach((a, i) => {
    if (a.window === "cost") return;
    headers[`x-ratelimit-limit-${a.window}`] = String(a.limit);
    headers[`x-ratelimit-remaining-${a.window}`] = String(Math.max(0, a.limit - used[i]!));
    headers[`x-ratelimit-reset-${a.window}`] = duration(a.endsAt - now);
  });
  return headers;
}
