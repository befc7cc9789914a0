import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const memoriesMigrations: Record<string, Migration> = {
  // What a person asked the assistant to remember across conversations, and whether memory is on for them.
  "0019-memories": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("memories")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("owner", "text")
        .addColumn("content", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("source_conversation", "text")
        .addColumn("source_message", "text")
        .execute();
      await db.schema.createIndex("memories_owner").on("memories").columns(["owner", "created_at"]).execute();
      await db.schema
        .createTable("memory_settings")
        .addColumn("owner", "text", (c) => c.primaryKey())
        .addColumn("enabled", "integer", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("memory_settings").execute();
      await db.schema.dropTable("memories").execute();
    },
  },
};
