import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

// 0001 also created api_keys (see keys/): the two tables came together, and a migration stays whole.
export const requestLogMigrations: Record<string, Migration> = {
  // One migration for both dialects: only types that mean the same on SQLite and PostgreSQL.
  "0001-request-log-and-keys": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("api_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("prefix", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull().unique())
        .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('admin', 'user')`))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_used_at", "bigint")
        .addColumn("revoked_at", "bigint")
        .execute();

      await db.schema
        .createTable("request_log")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("api_key_id", "text")
        .addColumn("endpoint", "text", (c) => c.notNull())
        .addColumn("model", "text", (c) => c.notNull())
        .addColumn("target", "text")
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("status", "integer", (c) => c.notNull())
        .addColumn("error_code", "text")
        .addColumn("error_message", "text")
        .addColumn("stream", "integer", (c) => c.notNull())
        .addColumn("input_tokens", "integer")
        .addColumn("output_tokens", "integer")
        .addColumn("ttft_ms", "double precision")
        .addColumn("total_ms", "double precision", (c) => c.notNull())
        .addColumn("cost_usd", "double precision")
        .addColumn("attempt_log", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("request_log_created_at").on("request_log").column("created_at").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("request_log").execute();
      await db.schema.dropTable("api_keys").execute();
    },
  },
};
