import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { KEEP_AFTER_WINDOW_MS, type CounterAsk, type QuotaCounters, type ReserveResult } from "./counters.ts";

// Check every window, then add to every one, in one script: Redis runs it atomically, so two instances can never
// both pass the same last unit of a limit. ARGV holds amount, limit and expiry (unix ms) for each key in turn. The
// last key is the reservation's receipt: what it added, kept two minutes, so a reservation whose answer never came
// back (a timeout) can be taken back (UNDO) if it ran.
const RESERVE = `
local n = #KEYS - 1
local used = {}
for i = 1, n do used[i] = tonumber(redis.call('GET', KEYS[i]) or '0') end
for i = 1, n do
  local amount = tonumber(ARGV[3 * i - 2])
  if amount > 0 and used[i] + amount > tonumber(ARGV[3 * i - 1]) then return {0, i, unpack(used)} end
end
local added = {}
for i = 1, n do
  local amount = tonumber(ARGV[3 * i - 2])
  added[i] = 0
  if amount > 0 then
    used[i] = redis.call('INCRBY', KEYS[i], amount)
    redis.call('PEXPIREAT', KEYS[i], ARGV[3 * i])
    added[i] = amount
  end
end
redis.call('SET', KEYS[n + 1], table.concat(added, ','), 'PX', 120000)
return {1, 0, unpack(used)}
`;

// Takes back what a reservation added, if its receipt says it ran and nothing took it back yet. Sent on the same
// connection after the RESERVE, so Redis runs it after that one, whenever that one arrived.
const UNDO = `
local receipt = redis.call('GET', KEYS[#KEYS])
if not receipt then return 0 end
redis.call('DEL', KEYS[#KEYS])
local i = 1
for amount in string.gmatch(receipt, '[^,]+') do
  local a = tonumber(amount)
  if a > 0 and redis.call('EXISTS', KEYS[i]) == 1 and redis.call('DECRBY', KEYS[i], a) < 0 then
    redis.call('SET', KEYS[i], 0, 'KEEPTTL')
  end
  i = i + 1
end
return 1
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
  quotaUndo(n: number, ...args: Array<string | number>): Promise<number>;
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
    redis.defineCommand("quotaUndo", { lua: UNDO });
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
    // The receipt shares the subject's hash tag (the first {…} of its keys), so on a Cluster it is in their slot.
    const keys = [...asks.map((a) => a.key), `${asks[0]!.key}:receipt:${randomUUID()}`];
    try {
      const [ok, refused, ...used] = await this.redis.quotaReserve(keys.length, ...keys, ...args);
      return ok ? { ok: true, used } : { ok: false, refused: refused! - 1, used };
    } catch (err) {
      // Timed out, maybe after Redis ran it: the request is refused, so whatever it added is taken back.
      this.redis.quotaUndo(keys.length, ...keys).catch(() => {});
      throw err;
    }
  }

  async adjust(changes: Array<{ key: string; delta: number }>): Promise<void> {
    const live = changes.filter((c) => c.delta);
    if (live.length) await this.redis.quotaAdjust(live.length, ...live.map((c) => c.key), ...live.map((c) => c.delta));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
