import { GatewayError } from "@benih/gateway";

/**
 * Failed sign-ins counted per account (by the email typed, whether or not it has one, so the answer tells nothing)
 * and per client address, over a sliding window. Past the limit, sign-in is refused without checking the password
 * until the oldest failure leaves the window.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly o = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000 },
    private readonly now = Date.now,
  ) {}

  private recent(key: string): number[] {
    const since = this.now() - this.o.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** A 429 when the account or the address failed too often lately. */
  check(account: string, address: string): void {
    for (const [key, limit] of [
      [`a:${account}`, this.o.perAccount],
      [`ip:${address}`, this.o.perAddress],
    ] as const) {
      const times = this.recent(key);
      if (times.length >= limit) {
        const wait = Math.max(1, Math.ceil((times[0]! + this.o.windowMs - this.now()) / 1000));
        throw new GatewayError(
          429,
          "rate_limit_error",
          `Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} min, or reset your password.`,
          "too_many_attempts",
          null,
          wait,
        );
      }
    }
  }

  failed(account: string, address: string): void {
    // Bounded: the oldest tenth goes (a Map keeps insertion order), not every count at once.
    if (this.failures.size > 100_000) for (const key of [...this.failures.keys()].slice(0, 10_000)) this.failures.delete(key);
    for (const key of [`a:${account}`, `ip:${address}`]) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  /** A right password clears the account's count (not the address's: one address may try many accounts). */
  succeeded(account: string): void {
    this.failures.delete(`a:${account}`);
  }
}
