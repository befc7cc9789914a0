import type { Kysely } from "kysely";

// Runs remember what they asked for, the accelerator model (null: any allowed) and how many (a resumed or
// recovered run asks for the same again, not for what it happened to get), and
// keep their trainer's log lines. A line is keyed by (run_id, attempt, offset): the attempt is the run's n-th
// start, the offset the line's byte position in that attempt's log file, so a batch an agent sends again is
// absorbed by the key, and a resume on another agent (a new attempt) cannot collide with earlier lines.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("training_runs").addColumn("requested_accelerator", "text").execute();
  await db.schema.alterTable("training_runs").addColumn("accelerators", "integer", (c) => c.notNull().defaultTo(1)).execute();
  await db.schema
    .createTable("training_logs")
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("offset", "bigint", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("training_logs_pk", ["run_id", "attempt", "offset"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("training_logs").execute();
  await db.schema.alterTable("training_runs").dropColumn("accelerators").execute();
  await db.schema.alterTable("training_runs").dropColumn("requested_accelerator").execute();
}
