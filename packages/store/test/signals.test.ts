import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Signals } from "@benih/contracts";
import { MemorySignals, PostgresSignals, RedisSignals } from "@benih/store";
import { createTestPgDatabase, pgAvailable, redisForTest } from "@benih/store/testing";
import pg from "pg";

const pgUp = await pgAvailable();
if (pgUp !== true && process.env.BENIH_TEST_PG === "require") throw new Error(pgUp);
const redisUrl = "redis://127.0.0.1:6379/13";

/** The next message on `channel`, or a rejection after `ms`. */
function next(s: Signals, channel: string, ms = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message on ${channel} within ${ms} ms`)), ms);
    void s.subscribe(channel, (m) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
}

/** What every transport must do for two instances, `a` and `b`. */
async function twoInstances(a: Signals, b: Signals) {
  const onB = next(b, "benih:test");
  const onA = next(a, "benih:test");
  await new Promise((r) => setTimeout(r, 50));
  await a.publish("benih:test", "hello from a");
  assert.equal(await onB, "hello from a", "the other instance hears it");
  assert.equal(await onA, "hello from a", "so does the publisher's own");

  const heard: string[] = [];
  const stop = await b.subscribe("benih:other", (m) => heard.push(m));
  await a.publish("benih:test", "not for other");
  await a.publish("benih:other", "for other");
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(heard, ["for other"], "channels are kept apart");
  await stop();
  await a.publish("benih:other", "after unsubscribe");
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(heard, ["for other"], "an unsubscribed handler hears nothing more");
}

describe("signals between instances", () => {
  it("in one process", async () => {
    const s = new MemorySignals();
    await twoInstances(s, s);
    await s.close();
  });

  it("over Redis pub/sub", async (t) => {
    const noRedis = await redisForTest(redisUrl);
    if (noRedis) return t.skip(noRedis);
    const onError = (err: Error) => assert.fail(err);
    const [a, b] = [await RedisSignals.open(redisUrl, onError), await RedisSignals.open(redisUrl, onError)];
    try {
      await twoInstances(a, b);
      const otherDb = await RedisSignals.open("redis://127.0.0.1:6379/12", onError);
      const heard: string[] = [];
      await otherDb.subscribe("benih:test", (m) => heard.push(m));
      await a.publish("benih:test", "db 13 only");
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(heard, [], "a deployment on another Redis database hears nothing");
      await otherDb.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("over PostgreSQL LISTEN/NOTIFY, listening again after its connection is cut", { skip: pgUp !== true && pgUp }, async () => {
    const db = await createTestPgDatabase();
    const errors: Error[] = [];
    const [a, b] = [await PostgresSignals.open(db.url, (e) => errors.push(e)), await PostgresSignals.open(db.url, (e) => errors.push(e))];
    try {
      await twoInstances(a, b);
      // An administrator (or a failover) ends every listening connection: each instance listens again by itself.
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'LISTEN%' and datname = current_database() and pid <> pg_backend_pid()",
      );
      await admin.end();
      let heard = "";
      await b.subscribe("benih:after-cut", (m) => {
        heard = m;
      });
      const deadline = Date.now() + 5_000;
      while (!heard && Date.now() < deadline) {
        await a.publish("benih:after-cut", "still here").catch(() => {});
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(heard, "still here");
      assert.ok(errors.length > 0, "the cut was reported");
      await assert.rejects(a.publish("x", "y".repeat(8_000)), /over 7900 bytes/);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
