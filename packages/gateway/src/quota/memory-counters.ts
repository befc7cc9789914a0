import { KEEP_AFTER_WINDOW_MS, type CounterAsk, type QuotaCounters, type ReserveResult } from "./counters.ts";

/** Counters in this process: exact for one instance, and lost on restart (a restart starts every window afresh). */
export class MemoryCounters implements QuotaCounters {
  private readonly counters = new Map<string, { value: number; dropAt: number }>();
  private sinceSweep = 0;

  private value(key: string, now: number): number {
    const c = this.counters.get(key);
    if (c && c.dropAt <= now) this.counters.delete(key);
    return c && c.dropAt > now ? c.value : 0;
  }

  async reserve(asks: CounterAsk[]): Promise<ReserveResult> {
    return this.reserveNow(asks, Date.now());
  }

  /** Synchronous, hence atomic: nothing else runs between the check and the increments. */
  reserveNow(asks: CounterAsk[], now: number): ReserveResult {
    if (++this.sinceSweep >= 4096) this.sweep(now);
    const used = asks.map((a) => this.value(a.key, now));
    const refused = asks.findIndex((a, i) => a.amount > 0 && used[i]! + a.amount > a.limit);
    if (refused >= 0) return { ok: false, refused, used };
    asks.forEach((a, i) => {
      if (!a.amount) return;
      used[i]! += a.amount;
      this.counters.set(a.key, { value: used[i]!, dropAt: a.endsAt + KEEP_AFTER_WINDOW_MS });
    });
    return { ok: true, used };
  }

  async adjust(changes: Array<{ key: string; delta: number }>): Promise<void> {
    const now = Date.now();
    for (const { key, delta } of changes) {
      const c = this.counters.get(key);
      if (c && c.dropAt > now) c.value = Math.max(0, c.value + delta);
    }
  }

  /** Drops the counters of windows that are over, so subjects seen once do not stay in memory. */
  private sweep(now: number): void {
    this.sinceSweep = 0;
    for (const [key, c] of this.counters) if (c.dropAt <= now) this.counters.delete(key);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
