import { SqliteAdapter, type Kysely } from "kysely";

// Generated images, bytes included: they stay in the market's own store with the conversations that asked for
// them, and a backup of the store holds them too.
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable("images")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("owner", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("prompt", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("size", "text", (c) => c.notNull())
    .addColumn("seed", "bigint")
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("bytes", sqlite ? "blob" : "bytea", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("images_owner").on("images").columns(["owner", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("images").execute();
}
