import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

// api_keys was created by 0001 (request-log/migrations.ts) and given `market` by 0002 (audit/migrations.ts).
export const keysMigrations: Record<string, Migration> = {
  // Keys used to be listed by their first characters, part of the secret (all of a short BENIH_ADMIN_KEY's start).
  // Lists now show the fixed prefix and the last four characters; the secrets are not kept, so keys listed the old
  // way keep only the fixed prefix (BENIH_ADMIN_KEY's row gets its hint back at the next start).
  "0010-key-hints": {
    async up(db: Kysely<any>): Promise<void> {
      await db.updateTable("api_keys").set({ prefix: "bk-…" }).where("prefix", "like", "bk-%").where("prefix", "not like", "%…%").execute();
      await db.updateTable("api_keys").set({ prefix: "…" }).where("prefix", "not like", "%…%").execute();
    },

    async down(): Promise<void> {},
  },
};
