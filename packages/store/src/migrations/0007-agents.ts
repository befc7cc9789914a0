import type { Kysely } from "kysely";

// Agents a user made: a name, instructions, a model (null: the market's default), the skills it starts with and
// the prompts it suggests. The built-in agents live in code (the assistant package), not here.
export async function up(db: Kysely<any>): Promise<void> {
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
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("agents").execute();
}
