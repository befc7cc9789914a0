/** One window's share of a reservation: add `amount` to the counter at `key` unless it would pass `limit`. */
export interface CounterAsk {
  key: string;
  amount: number;
  limit: number;
  /** When the window ends (ms since the epoch); the counter is dropped a little after. */
  endsAt: number;
}

/** Each asked counter's value after the reservation (or, refused, as it stood), in the order asked. */
export type ReserveResult = { ok: true; used: number[] } | { ok: false; refused: number; used: number[] };

/**
 * Where quota counters live: in this process, or in Redis so that every instance shares them. Amounts are
 * integers (requests, tokens, nano-USD).
 */
export interface QuotaCounters {
  /** All or nothing, atomically: refused when any ask with an amount would take its counter past its limit. */
  reserve(asks: CounterAsk[]): Promise<ReserveResult>;
  /** Adds (or, negative, takes back) amounts; a counter whose window is over is left alone. */
  adjust(changes: Array<{ key: string; delta: number }>): Promise<void>;
  /** Rejects when the counters cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Counters are kept this long past their window's end, so a request that straddles it still settles. */
export const KEEP_AFTER_WINDOW_MS = 10 * 60_000;
