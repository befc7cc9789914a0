/**
 * When failures happened, per key, over a window: kept in this process, or in Redis so that every instance counts
 * the same failures (see RedisFailureLog).
 */
export interface FailureLog {
  /** The times of the key's failures since `since`, oldest first. */
  since(key: string, since: number): Promise<number[]>;
  add(key: string, at: number, windowMs: number): Promise<void>;
  clear(key: string): Promise<void>;
}

/** Failures counted in this process (one instance, or a fallback while Redis is away). */
export class MemoryFailureLog implements FailureLog {
  private readonly failures = new Map<string, number[]>();

  async since(key: string, since: number): Promise<number[]> {
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  async add(key: string, at: number, windowMs: number): Promise<void> {
    // Bounded: the oldest tenth goes (a Map keeps insertion order), not every count at once.
    if (this.failures.size > 100_000) for (const k of [...this.failures.keys()].slice(0, 10_000)) this.failures.delete(k);
    this.failures.set(key, [...(await this.since(key, at - windowMs)), at]);
  }

  async clear(key: string): Promise<void> {
    this.failures.delete(key);
  }
}
