import type { Kysely } from "kysely";

// The training control plane: runs with their state history, checkpoint records and metrics. Metrics are keyed
// by (run_id, step): appends land at the end of one run's key range, chart reads are range scans of the primary
// key, and a batch an agent sends twice (after a reconnect) is absorbed by the key.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("training_runs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("recipe", "text", (c) => c.notNull())
    .addColumn("dataset", "text", (c) => c.notNull())
    .addColumn("market", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("steps", "integer", (c) => c.notNull())
    .addColumn("step", "integer", (c) => c.notNull())
    .addColumn("cluster", "text")
    .addColumn("node", "text")
    .addColumn("accelerator", "text")
    .addColumn("placement", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("training_run_events")
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("from_state", "text")
    .addColumn("to_state", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("training_run_events_pk", ["run_id", "seq"])
    .execute();
  await db.schema
    .createTable("training_checkpoints")
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("step", "integer", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("location", "text", (c) => c.notNull())
    .addColumn("bytes", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("training_checkpoints_pk", ["run_id", "step"])
    .execute();
  await db.schema
    .createTable("training_metrics")
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("step", "integer", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("loss", "double precision", (c) => c.notNull())
    .addColumn("lr", "double precision", (c) => c.notNull())
    .addColumn("grad_norm", "double precision", (c) => c.notNull())
    .addColumn("tokens_per_s", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint("training_metrics_pk", ["run_id", "step"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["training_metrics", "training_checkpoints", "training_run_events", "training_runs"]) await db.schema.dropTable(t).execute();
}
