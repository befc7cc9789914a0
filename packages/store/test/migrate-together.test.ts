import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { Store, type StoreLocation } from "@benih/store";
import { createTestPgDatabase, pgAvailable } from "@benih/store/testing";

// Several instances starting at once on a new database (a rolling deployment's first start, or three replicas):
// one runs the migrations, the others wait for it, and every one opens.
const pg = await pgAvailable();
if (pg !== true && process.env.BENIH_TEST_PG === "require") throw new Error(pg);

async function startTogether(location: StoreLocation, n = 4) {
  const stores = await Promise.all(Array.from({ length: n }, () => Store.open(location)));
  try {
    const { rows } = await sql<{ name: string; n: number }>`select name, count(*) as n from benih_migrations group by name`.execute(
      stores[0]!.db,
    );
    assert.ok(rows.length >= 13, `${rows.length} migrations recorded`);
    assert.ok(
      rows.every((r) => Number(r.n) === 1),
      "each migration recorded once",
    );
    await stores[0]!.accounts.create({ email: "a@example.com", name: "a", passwordHash: null, role: "member", market: null });
    assert.ok(await stores[3]!.accounts.byEmail("a@example.com"), "they share one schema");
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

describe("migrations run by several instances at once", () => {
  it("on PostgreSQL, in the public schema and in a market's own", { skip: pg === true ? false : pg }, async () => {
    const db = await createTestPgDatabase();
    try {
      await startTogether({ dialect: "postgres", target: db.url });
      await startTogether({ dialect: "postgres", target: db.url, schema: "market_cn" });
    } finally {
      await db.drop();
    }
  });

  it("on SQLite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "benih-together-"));
    try {
      await startTogether({ dialect: "sqlite", target: join(dir, "benih.db") });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
