import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const agentsMigrations: Record<string, Migration> = {
  // Agents a user made: a name, instructions, a model (null: the market's default), the skills it starts with and
  // the prompts it suggests. The built-in agents live in code (the assistant package), not here.
  "0007-agents": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("agents")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("owner", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("instructions", "text", (c) => c.notNull())
        .addColumn("model", "text")
        .addColumn("skills", "text", (c) => c.notNull())
        .addColumn("starters", "text", (c) => c.notNull())
        // 1: its skills are offered to the model as tools it calls itself (for models that support tool calling).
        .addColumn("tool_use", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex("agents_owner").on("agents").column("owner").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("agents").execute();
    },
  },
};
