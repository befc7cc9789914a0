import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { type FailureLog, MemoryFailureLog } from "./failure-log.ts";

const PREFIX = "benih:signin-failures:";

/**
 * Failures in Redis (REDIS_URL), one sorted set per key scored by time, so a limit holds across every instance. While
 * Redis cannot be reached, failures are counted in this process instead: each instance still throttles on its own.
 */
export class RedisFailureLog implements FailureLog {
  private readonly local = new MemoryFailureLog();

  private constructor(private readonly redis: Redis) {}

  static open(url: string, onError: (err: Error) => void): RedisFailureLog {
    // Commands wait for the first connection (up to commandTimeout), then fail at once while Redis is away.
    const redis = new Redis(url, {
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    let reported = false;
    redis.on("error", (err: Error) => {
      if (!reported) onError(err);
      reported = true;
    });
    redis.on("ready", () => {
      reported = false;
    });
    return new RedisFailureLog(redis);
  }

  async since(key: string, since: number): Promise<number[]> {
    try {
      const scores = await this.redis.zrangebyscore(PREFIX + key, `(${since}`, "+inf", "WITHSCORES");
      return scores.filter((_, i) => i % 2 === 1).map(Number);
    } catch {
      return this.local.since(key, since);
    }
  }

  async add(key: string, at: number, windowMs: number): Promise<void> {
    try {
      await this.redis
        .multi()
        .zadd(PREFIX + key, at, `${at}:${randomUUID()}`)
        .zremrangebyscore(PREFIX + key, "-inf", at - windowMs)
        .pexpire(PREFIX + key, windowMs)
        .exec();
    } catch {
      await this.local.add(key, at, windowMs);
    }
  }

  async clear(key: string): Promise<void> {
    await this.local.clear(key);
    await this.redis.del(PREFIX + key).catch(() => {});
  }

  close(): void {
    this.redis.disconnect();
  }
}
