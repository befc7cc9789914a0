import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const leasesMigrations: Record<string, Migration> = {
  // Background duties (retention, the control plane's recovery sweep, indexing) that several instances sharing a
  // store would otherwise each do: the instance holding a duty's lease does it, and a dead one's lease runs out.
  "0015-leases": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("leases")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("until", "bigint", (c) => c.notNull())
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("leases").execute();
    },
  },
};
