import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { Store } from "./store.ts";

/** Admin URL of the PostgreSQL used by tests: BENIH_TEST_PG_URL, else the local server. */
export const testPgAdminUrl = () => process.env.BENIH_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestStore {
  store: Store;
  /** Closes the store and deletes its file or database. */
  dispose(): Promise<void>;
}

export async function openTestSqlite(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), "benih-store-"));
  const store = await Store.open({ dialect: "sqlite", target: join(dir, "benih.db") });
  return {
    store,
    dispose: async () => {
      await store.close();
      // The checkpoint worker lets go of the file a moment after the close (its last checkpoint may still write the
      // WAL): a removal that meets a file written meanwhile tries again.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    },
  };
}

/** Whether the test PostgreSQL answers; the reason when it does not. */
export async function pgAvailable(): Promise<string | true> {
  const client = new pg.Client({ connectionString: testPgAdminUrl(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch (err) {
    return `PostgreSQL at ${testPgAdminUrl()} is not reachable: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A throwaway PostgreSQL database: its URL, and `drop()` for after the test. */
export async function createTestPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `benih_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: testPgAdminUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(testPgAdminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: testPgAdminUrl() });
      await again.connect();
      try {
        // A pool that has ended may still be closing its connections: wait for them rather than cut them (a cut one
        // reports the cut as an error no one listens to any more). Forced only if they do not go.
        for (let attempt = 0; ; attempt++) {
          try {
            await again.query(`drop database if exists ${name}${attempt >= 30 ? " with (force)" : ""}`);
            return;
          } catch (err) {
            if (attempt >= 30 || !/being accessed by other users/.test((err as Error).message)) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await again.end();
      }
    },
  };
}

/** A throwaway database, created for this test and dropped after it. */
export async function openTestPostgres(): Promise<TestStore> {
  const db = await createTestPgDatabase();
  const store = await Store.open({ dialect: "postgres", target: db.url });
  return {
    store,
    dispose: async () => {
      await store.close();
      await db.drop();
    },
  };
}

/**
 * The backends store tests run on: SQLite always, PostgreSQL when it answers. BENIH_TEST_PG=require turns an
 * unreachable PostgreSQL into a failure instead of a skip (CI sets it).
 */
export async function testBackends(): Promise<Array<{ name: string; open: () => Promise<TestStore>; skip: string | false }>> {
  const pgState = await pgAvailable();
  const pgSkip = pgState === true ? false : pgState;
  if (pgSkip && process.env.BENIH_TEST_PG === "require") throw new Error(pgSkip);
  return [
    { name: "sqlite", open: openTestSqlite, skip: false },
    { name: "postgres", open: openTestPostgres, skip: pgSkip },
  ];
}

/**
 * Redis at `url` for a test, its database emptied: undefined when it answers, else why the test is skipped. Redis is a
 * service a machine may not run; with BENIH_REQUIRE_REDIS set (as CI sets it) not answering fails instead.
 */
export async function redisForTest(url: string): Promise<string | undefined> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.flushdb();
    return undefined;
  } catch {
    if (process.env.BENIH_REQUIRE_REDIS) throw new Error(`BENIH_REQUIRE_REDIS is set but Redis does not answer at ${url}`);
    return `Redis does not answer at ${url} (set BENIH_REQUIRE_REDIS to fail instead)`;
  } finally {
    probe.disconnect();
  }
}
