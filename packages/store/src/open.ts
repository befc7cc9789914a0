import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, sql, SqliteDialect } from "kysely";
import { Migrator } from "kysely/migration";
import pg from "pg";
import { load as loadSqliteVec } from "sqlite-vec";
import type { Database } from "./database.ts";
import { migrationProvider } from "./migrations.ts";

export type Dialect = "sqlite" | "postgres";

/** Why the sqlite-vec extension did not load on this machine, if it did not. */
export const sqliteVecFailure: { reason?: string } = {};

export interface StoreLocation {
  dialect: Dialect;
  /** A file path for SQLite (":memory:" allowed), a connection URL for PostgreSQL. */
  target: string;
  /** PostgreSQL only: keep every table in this schema (created if missing), e.g. one per market. */
  schema?: string;
}

/**
 * Where the store lives: `DATABASE_URL` (postgres:// or postgresql://) wins; otherwise SQLite at
 * `<BENIH_DATA_DIR or ./.benih>/benih.db`.
 */
export function storeLocationFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): StoreLocation {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    if (/^postgres(ql)?:\/\//.test(url)) return { dialect: "postgres", target: url };
    if (url.startsWith("sqlite:")) return { dialect: "sqlite", target: url.slice("sqlite:".length) };
    throw new Error(`DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got "${url.split(":")[0]}:")`);
  }
  return { dialect: "sqlite", target: resolve(cwd, env.BENIH_DATA_DIR ?? ".benih", "benih.db") };
}

export function openDatabase(loc: StoreLocation): Kysely<Database> {
  if (loc.dialect === "postgres") {
    if (loc.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(loc.schema)) {
      throw new Error(`PostgreSQL schema "${loc.schema}" must be lowercase letters, digits and _`);
    }
    const pool = new pg.Pool({
      connectionString: loc.target,
      // Unqualified names resolve to the market's schema, so the one set of migrations and queries serves all.
      ...(loc.schema && { options: `-c search_path=${loc.schema}` }),
      max: 10,
      // bigint columns hold epoch milliseconds and counts, all far below 2^53.
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          oid === 20 ? Number : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
      },
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (loc.target !== ":memory:") mkdirSync(dirname(loc.target), { recursive: true });
  const db = new SQLite(loc.target);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  // Reads (the knowledge base's full-text index above all) come from mapped memory and a 64 MB page cache rather
  // than a read() per 4 KB page through SQLite's default 2 MB cache.
  db.pragma("mmap_size = 268435456");
  db.pragma("cache_size = -65536");
  // Checkpoints happen in a worker thread (checkpoints.ts); this connection checkpoints only past 10,000 pages (40 MB),
  // should the worker ever fall behind.
  db.pragma("wal_autocheckpoint = 10000");
  // Vector search for the knowledge base (vec0 tables; see knowledge/vectors.ts). A platform whose build of the
  // extension does not load keeps everything else, and knowledge search by keywords.
  try {
    loadSqliteVec(db);
  } catch (err) {
    sqliteVecFailure.reason = (err as Error).message;
  }
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: db }) });
}

/** Any number bigger than nothing else uses: the advisory lock all benih instances take to migrate one database. */
const MIGRATION_LOCK = 7_246_310_518;

/**
 * Brings the schema up to date. Many instances may start at once (replicas, a rolling upgrade): on PostgreSQL one
 * holds an advisory lock while it migrates and the others wait for it, then find nothing left to do; on SQLite
 * (whose own migration lock is only the one connection) one that finds another's tables mid-way tries again.
 */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect, schema?: string): Promise<void> {
  if (dialect === "sqlite") {
    for (let attempt = 1; ; attempt++) {
      try {
        return await migrateOnce(db);
      } catch (err) {
        if (attempt >= 5 || !/already exists|locked|busy/i.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }
  // One connection for the lock and the migrations: an advisory lock belongs to the session that took it.
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(conn);
      await migrateOnce(conn, schema);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}

async function migrateOnce(db: Kysely<Database>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: "benih_migrations",
    ...(schema && { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const why = error instanceof Error ? error.message : String(error ?? "unknown error");
    throw new Error(`store migration ${failed?.migrationName ?? ""} failed: ${why}`);
  }
}
