import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

// 0002 also gave api_keys its `market` column (see keys/): a migration stays whole.
export const auditMigrations: Record<string, Migration> = {
  // Markets: a key may belong to one market (null: any, for admins and single-market setups), and each market's
  // store keeps an audit of content-policy hits.
  "0002-markets": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("api_keys").addColumn("market", "text").execute();
      await db.schema
        .createTable("policy_audit")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("request_id", "text", (c) => c.notNull())
        .addColumn("api_key_id", "text")
        .addColumn("market", "text", (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("category", "text", (c) => c.notNull())
        .addColumn("term", "text", (c) => c.notNull())
        .addColumn("model", "text", (c) => c.notNull())
        .addColumn("excerpt", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("policy_audit_created_at").on("policy_audit").column("created_at").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("policy_audit").execute();
      await db.schema.alterTable("api_keys").dropColumn("market").execute();
    },
  },
};
