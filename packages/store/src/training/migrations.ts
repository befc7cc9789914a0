import { type Kysely, SqliteAdapter } from "kysely";
import type { Migration } from "kysely/migration";

export const trainingMigrations: Record<string, Migration> = {
  // The training control plane: runs with their state history, checkpoint records and metrics. Metrics are keyed
  // by (run_id, step): appends land at the end of one run's key range, chart reads are range scans of the primary
  // key, and a batch an agent sends twice (after a reconnect) is absorbed by the key.
  "0003-training": {
    async up(db: Kysely<any>): Promise<void> {
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
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const t of ["training_metrics", "training_checkpoints", "training_run_events", "training_runs"])
        await db.schema.dropTable(t).execute();
    },
  },

  // Runs remember what they asked for, the accelerator model (null: any allowed) and how many (a resumed or
  // recovered run asks for the same again, not for what it happened to get), and
  // keep their trainer's log lines. A line is keyed by (run_id, attempt, offset): the attempt is the run's n-th
  // start, the offset the line's byte position in that attempt's log file, so a batch an agent sends again is
  // absorbed by the key, and a resume on another agent (a new attempt) cannot collide with earlier lines.
  "0004-training-logs": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("training_runs").addColumn("requested_accelerator", "text").execute();
      await db.schema
        .alterTable("training_runs")
        .addColumn("accelerators", "integer", (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema
        .createTable("training_logs")
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("attempt", "integer", (c) => c.notNull())
        .addColumn("offset", "bigint", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("text", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("training_logs_pk", ["run_id", "attempt", "offset"])
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("training_logs").execute();
      await db.schema.alterTable("training_runs").dropColumn("accelerators").execute();
      await db.schema.alterTable("training_runs").dropColumn("requested_accelerator").execute();
    },
  },

  // A cluster id belongs to the region whose agent registered it first: another region's token cannot take it
  // over, also after the control plane restarts. Clusters that already took runs are claimed for the region of
  // their earliest run's placement, so an upgrade does not open a window before their agents register again.
  "0011-training-clusters": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("training_clusters")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("region", "text", (c) => c.notNull())
        .addColumn("registered_at", "bigint", (c) => c.notNull())
        .execute();
      const runs = await db
        .selectFrom("training_runs")
        .select(["cluster", "placement", "created_at"])
        .where("cluster", "is not", null)
        .orderBy("created_at")
        .execute();
      const owners = new Map<string, { region: string; at: number }>();
      for (const r of runs as Array<{ cluster: string; placement: string; created_at: number | string }>) {
        if (owners.has(r.cluster)) continue;
        let placed: { cluster?: string; region?: string } | undefined;
        try {
          placed = (JSON.parse(r.placement) as { placed?: { cluster?: string; region?: string } }).placed;
        } catch {
          continue;
        }
        if (placed?.cluster === r.cluster && placed.region) owners.set(r.cluster, { region: placed.region, at: Number(r.created_at) });
      }
      for (const [id, o] of owners)
        await db.insertInto("training_clusters").values({ id, region: o.region, registered_at: o.at }).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("training_clusters").execute();
    },
  },

  // Several instances share one store: the agents (who serves which cluster, what it offers, when it was last heard
  // from) and the commands queued for them live here, so a command queued on one instance reaches an agent polling
  // another. Each change to the fleet or to a run's state takes the next number of a counter (`training_versions`,
  // one row per counter, whose row lock orders the writers), so an instance catches up by reading only what
  // changed since the number it last saw.
  "0016-training-agents": {
    async up(db: Kysely<any>): Promise<void> {
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
      await db.schema
        .createTable("training_agents")
        .addColumn("cluster_id", "text", (c) => c.primaryKey())
        .addColumn("agent_id", "text", (c) => c.notNull().unique())
        .addColumn("region", "text", (c) => c.notNull())
        .addColumn("cluster", "text", (c) => c.notNull())
        .addColumn("registered_at", "bigint", (c) => c.notNull())
        .addColumn("last_seen", "bigint", (c) => c.notNull())
        .addColumn("dropped", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("version", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("training_agents_version").on("training_agents").column("version").execute();
      await db.schema.createIndex("training_agents_seen").on("training_agents").columns(["dropped", "last_seen"]).execute();
      await db.schema
        .createTable("training_commands")
        .addColumn("seq", sqlite ? "integer" : "bigserial", (c) => c.primaryKey())
        .addColumn("cluster_id", "text", (c) => c.notNull())
        .addColumn("command", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("training_commands_cluster").on("training_commands").columns(["cluster_id", "seq"]).execute();
      await db.schema
        .createTable("training_versions")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("value", "bigint", (c) => c.notNull())
        .execute();
      await db
        .insertInto("training_versions")
        .values([
          { name: "fleet", value: 0 },
          { name: "runs", value: 0 },
        ])
        .execute();
      await db.schema
        .alterTable("training_runs")
        .addColumn("version", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex("training_runs_version").on("training_runs").column("version").execute();
      await db.schema.createIndex("training_runs_state").on("training_runs").columns(["state", "cluster"]).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex("training_runs_state").execute();
      await db.schema.dropIndex("training_runs_version").execute();
      await db.schema.alterTable("training_runs").dropColumn("version").execute();
      for (const t of ["training_versions", "training_commands", "training_agents"]) await db.schema.dropTable(t).execute();
    },
  },

  // A command taken for a long poll whose agent hung up goes back to the queue with the number it had, before
  // those queued since. SQLite numbers a new row one past the largest row left, so it would hand out a number
  // again once the newest rows were taken: its table is rebuilt to number with AUTOINCREMENT, which never does.
  // PostgreSQL's sequence never hands out a number twice already.
  "0018-training-commands-order": {
    async up(db: Kysely<any>): Promise<void> {
      if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
      await db.schema
        .createTable("training_commands_numbered")
        .addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("cluster_id", "text", (c) => c.notNull())
        .addColumn("command", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .execute();
      await db
        .insertInto("training_commands_numbered")
        .columns(["seq", "cluster_id", "command", "at"])
        .expression(db.selectFrom("training_commands").select(["seq", "cluster_id", "command", "at"]))
        .execute();
      await db.schema.dropTable("training_commands").execute();
      await db.schema.alterTable("training_commands_numbered").renameTo("training_commands").execute();
      await db.schema.createIndex("training_commands_cluster").on("training_commands").columns(["cluster_id", "seq"]).execute();
    },

    // Numbers that are never reused suit the earlier schema as well: nothing to undo.
    async down(): Promise<void> {},
  },

  // Tags and a note on a run, so a team can find and compare its runs ("baseline", "lr 3e-3: diverged at 2k"), and
  // the scores its region's evaluation sent when it finished (only the numbers cross regions).
  "0024-training-run-notes": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("training_scores")
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("value", "double precision", (c) => c.notNull())
        .addColumn("count", "integer")
        .addColumn("at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("training_scores_pk", ["run_id", "name"])
        .execute();
      await db.schema
        .alterTable("training_runs")
        .addColumn("tags", "text", (c) => c.notNull().defaultTo("[]"))
        .execute();
      await db.schema
        .alterTable("training_runs")
        .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("training_scores").execute();
      await db.schema.alterTable("training_runs").dropColumn("note").execute();
      await db.schema.alterTable("training_runs").dropColumn("tags").execute();
    },
  },
  // What a finished run made to serve (a GGUF kept in its region), and each promotion of one to a market's model id
  // or rollback from it: what a market serves under each id is the newest row for it, and the rows are the audit.
  "0025-model-promotions": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("training_runs").addColumn("model", "text").execute();
      await db.schema
        .createTable("model_promotions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("market", "text", (c) => c.notNull())
        .addColumn("model_id", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("run_id", "text")
        .addColumn("file", "text")
        .addColumn("kind", "text")
        .addColumn("by", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("model_promotions_model").on("model_promotions").columns(["market", "model_id", "at"]).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("model_promotions").execute();
      await db.schema.alterTable("training_runs").dropColumn("model").execute();
    },
  },
  // Datasets uploaded through the control plane: only where their region's agent keeps them and its report; the
  // bytes never reach the home store.
  "0026-uploaded-datasets": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("training_datasets")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("market", "text", (c) => c.notNull())
        .addColumn("region", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("report", "text", (c) => c.notNull())
        .addColumn("by", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("training_datasets").execute();
    },
  },
};
