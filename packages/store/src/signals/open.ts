import type { Signals } from "@benih/contracts";
import { MemorySignals } from "./memory.ts";
import { PostgresSignals } from "./postgres.ts";
import { RedisSignals } from "./redis.ts";

/**
 * The signals of an instance: over Redis when REDIS_URL is set, else over PostgreSQL when DATABASE_URL is one (the
 * instances share it), else in this process (SQLite is one machine's, so there are no peers to tell).
 */
export async function openSignals(env: { REDIS_URL?: string; DATABASE_URL?: string }, onError: (err: Error) => void): Promise<Signals> {
  const redis = env.REDIS_URL?.trim();
  if (redis) return RedisSignals.open(redis, onError);
  const database = env.DATABASE_URL?.trim();
  if (database && /^postgres(ql)?:/i.test(database)) return PostgresSignals.open(database, onError);
  return new MemorySignals();
}
