import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Store } from "@benih/store";
import { createTestPgDatabase, openTestSqlite, pgAvailable } from "@benih/store/testing";

// A background duty leased by one of the instances sharing a store: the others are refused until the holder lets go
// or stops renewing (it died), and two asking at once never both get it.
const pg = await pgAvailable();
if (pg !== true && process.env.BENIH_TEST_PG === "require") throw new Error(pg);

async function leaseRules(a: Store, b: Store) {
  const t0 = 1_000_000;
  assert.equal(await a.leases.tryAcquire("retention", "i1", 10_000, t0), true);
  assert.equal(await b.leases.tryAcquire("retention", "i2", 10_000, t0 + 1), false, "held by another");
  assert.equal(await a.leases.tryAcquire("retention", "i1", 10_000, t0 + 5_000), true, "the holder renews");
  assert.equal(await b.leases.tryAcquire("retention", "i2", 10_000, t0 + 14_000), false, "renewed until t0 + 15 s");
  assert.equal(await b.leases.tryAcquire("retention", "i2", 10_000, t0 + 15_001), true, "a lease not renewed is taken over");
  assert.equal(await a.leases.tryAcquire("sweep", "i1", 10_000, t0), true, "each duty has its own lease");
  await a.leases.releaseAll("i1");
  assert.equal(await b.leases.tryAcquire("sweep", "i2", 10_000, t0 + 1), true, "released at once when its holder stops");

  const now = Date.now();
  const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).leases.tryAcquire("race", `r${i}`, 60_000, now)));
  assert.equal(wins.filter(Boolean).length, 1, "of eight asking at once, one holds it");
  assert.ok(await a.leases.holderOf("race", now));
}

describe("leases on background duties", () => {
  it("on SQLite", async () => {
    const t = await openTestSqlite();
    try {
      await leaseRules(t.store, t.store);
    } finally {
      await t.dispose();
    }
  });

  it("on PostgreSQL, between two instances", { skip: pg === true ? false : pg }, async () => {
    const db = await createTestPgDatabase();
    const [a, b] = [await Store.open({ dialect: "postgres", target: db.url }), await Store.open({ dialect: "postgres", target: db.url })];
    try {
      await leaseRules(a, b);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
