import { SqliteAdapter, type Kysely } from "kysely";

// Video generation runs for minutes at the provider: each request is a job, polled by the server until it ends,
// and kept here so a restart picks the polling up again. The finished video's bytes are kept with it.
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable("video_jobs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("owner", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("prompt", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("task", "text")
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("progress", "integer", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("mime", "text")
    .addColumn("bytes", sqlite ? "blob" : "bytea")
    .execute();
  await db.schema.createIndex("video_jobs_state").on("video_jobs").column("state").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("video_jobs").execute();
}
