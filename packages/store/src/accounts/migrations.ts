import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const accountsMigrations: Record<string, Migration> = {
  // People live in their market's store with their sessions, SSO identities, invitations and the admins' audit
  // log. API keys gain the person they act as (null: an operator's or a key made before accounts); request-log rows
  // gain the person, for usage.
  "0013-accounts": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("email", "text", (c) => c.unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("password_hash", "text")
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("market", "text")
        .addColumn("owner", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("disabled_at", "bigint")
        .addColumn("quota", "text")
        .execute();
      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("csrf", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("seen_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();
      await db.schema
        .createTable("user_identities")
        .addColumn("provider", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("user_identities_pk", ["provider", "subject"])
        .execute();
      await db.schema
        .createTable("invitations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("email", "text")
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("used_at", "bigint")
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("user_id", "text")
        .execute();
      await db.schema
        .createTable("admin_audit")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target", "text")
        .addColumn("detail", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("admin_audit_at").on("admin_audit").column("at").execute();
      await db.schema.alterTable("api_keys").addColumn("user_id", "text").execute();
      await db.schema.createIndex("api_keys_user").on("api_keys").column("user_id").execute();
      await db.schema.alterTable("request_log").addColumn("person_id", "text").execute();
      await db.schema.createIndex("request_log_person_created").on("request_log").columns(["person_id", "created_at"]).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex("request_log_person_created").execute();
      await db.schema.alterTable("request_log").dropColumn("person_id").execute();
      await db.schema.dropIndex("api_keys_user").execute();
      await db.schema.alterTable("api_keys").dropColumn("user_id").execute();
      for (const t of ["admin_audit", "invitations", "user_identities", "sessions", "users"]) await db.schema.dropTable(t).execute();
    },
  },
};
