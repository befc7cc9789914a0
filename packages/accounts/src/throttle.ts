import { GatewayError } from "@benih/gateway";
import { type FailureLog, MemoryFailureLog } from "./failure-log.ts";

/**
 * Failed sign-ins counted per account (by the email typed, whether or not it has one, so the answer tells nothing)
 * and per client address, over a sliding window, in a failure log every instance shares (Redis) or this process's.
 * Past the limit, sign-in is refused without checking the password until the oldest failure leaves the window.
 */
export class SignInThrottle {
  constructor(
    private readonly log: FailureLog = new MemoryFailureLog(),
    private readonly o = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000 },
    private readonly now = Date.now,
  ) {}

  /** A 429 when the account or the address failed too often lately. */
  async check(account: string, address: string): Promise<void> {
    const since = this.now() - this.o.windowMs;
    for (const [key, limit] of [
      [`a:${account}`, this.o.perAccount],
      [`ip:${address}`, this.o.perAddress],
    ] as const) {
      const times = await this.log.since(key, since);
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

  async failed(account: string, address: string): Promise<void> {
    const at = this.now();
    await Promise.all([`a:${account}`, `ip:${address}`].map((key) => this.log.add(key, at, this.o.windowMs)));
  }

  /** A right password clears the account's count (not the address's: one address may try many accounts). */
  async succeeded(account: string): Promise<void> {
    await this.log.clear(`a:${account}`);
  }
}
