import { Redis } from "ioredis";
import { KEEP_AFTER_WINDOW_MS, type CounterAsk, type QuotaCounters, type ReserveResult } from "./counters.ts";

// Check every window, then add to every one, in one script: Redis runs it atomically, so two instances can never
// both pass the same last unit of a limit. ARGV holds amount, limit and expiry (unix ms) for each key in turn.
const RESERVE = `
local used = {}
for i = 1, #KEYS do used[i] = tonumber(redis.call('GET', KEYS[i]) or '0') end
for i = 1, #KEYS do
  local amount = tonumber(ARGV[3 * i - 2])
  if amount > 0 and used[i] + amount > tonumber(ARGV[3 * i - 1]) then return {0, i, unpack(used)} end
end
for i = 1, #KEYS do
  local amount = tonumber(ARGV[3 * i - 2])
  if amount > 0 then
    used[i] = redis.call('INCRBY', KEYS[i], amount)
    redis.call('PEXPIREAT', KEYS[i], ARGV[3 * i])
  end
end
return {1, 0, unpack(used)}
`;

// A counter whose window is over (and so has expired) is not brought back by a late settle.
const ADJUST = `
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('INCRBY', KEYS[i], ARGV[i]) < 0 then
    redis.call('SET', KEYS[i], 0, 'KEEPTTL')
  end
end
return 0
`;

type Scripts = Redis & {
  quotaReserve(n: number, ...args: Array<string | number>): Promise<number[]>;
  quotaAdjust(n: number, ...args: Array<string | number>): Promise<number>;
};

/**
 * Counters shared by every instance through Redis (REDIS_URL). Commands are not queued while Redis is away, and
 * time out after `commandTimeoutMs`: a reservation then fails at once, and the gateway refuses the request (see
 * QuotaGate) instead of waiting for Redis to come back.
 */
export class RedisCounters implements QuotaCounters {
  private constructor(private readonly redis: Scripts) {}

  /** Connects (resolving once Redis answers or the first attempt fails; it keeps reconnecting either way). */
  static async open(url: string, onError: (err: Error) => void, commandTimeoutMs = 1_000): Promise<RedisCounters> {
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
      lazyConnect: true,
    }) as Scripts;
    redis.defineCommand("quotaReserve", { lua: RESERVE });
    redis.defineCommand("quotaAdjust", { lua: ADJUST });
    let reported = false;
    redis.on("error", (err: Error) => {
      // Reported once per outage, not on every reconnection attempt.
      if (!reported) onError(err);
      reported = true;
    });
    redis.on("ready", () => {
      reported = false;
    });
    await redis.connect().catch(() => {});
    return new RedisCounters(redis);
  }

  async reserve(asks: CounterAsk[]): Promise<ReserveResult> {
    const args = asks.flatMap((a) => [a.amount, a.limit, a.endsAt + KEEP_AFTER_WINDOW_MS]);
    const [ok, refused, ...used] = await this.redis.quotaReserve(asks.length, ...asks.map((a) => a.key), ...args);
    return ok ? { ok: true, used } : { ok: false, refused: refused! - 1, used };
  }

  async adjust(changes: Array<{ key: string; delta: number }>): Promise<void> {
    const live = changes.filter((c) => c.delta);
    if (live.length) await this.redis.quotaAdjust(live.length, ...live.map((c) => c.key), ...live.map((c) => c.delta));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
