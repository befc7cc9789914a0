import { type Kysely, SqliteAdapter } from "kysely";
import type { Migration } from "kysely/migration";

export const mediaMigrations: Record<string, Migration> = {
  // Generated images, bytes included: they stay in the market's own store with the conversations that asked for
  // them, and a backup of the store holds them too.
  "0008-images": {
    async up(db: Kysely<any>): Promise<void> {
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
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("images").execute();
    },
  },

  // Video generation runs for minutes at the provider: each request is a job, polled by the server until it ends,
  // and kept here so a restart picks the polling up again. The finished video's bytes are kept with it.
  "0009-video-jobs": {
    async up(db: Kysely<any>): Promise<void> {
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
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("video_jobs").execute();
    },
  },
  // Several instances share a store: a job is worked on by the one holding its lease, renewed while it works, so
  // a video is submitted once and a dead instance's jobs are taken over when its lease runs out.
  "0014-video-job-leases": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("video_jobs").addColumn("lease_holder", "text").execute();
      await db.schema.alterTable("video_jobs").addColumn("lease_until", "bigint").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("video_jobs").dropColumn("lease_until").execute();
      await db.schema.alterTable("video_jobs").dropColumn("lease_holder").execute();
    },
  },
};
