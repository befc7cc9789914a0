import type { Insertable, Kysely, Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { TrainingLogsTable, TrainingMetricsTable, TrainingRunsTable } from "./tables.ts";

export type TrainingRunRow = Selectable<TrainingRunsTable>;
export type MetricPoint = Omit<Insertable<TrainingMetricsTable>, "run_id">;
export type LogLine = Omit<Selectable<TrainingLogsTable>, "run_id">;

/** Runs, their state history, checkpoint records and metrics: what the control plane keeps. */
export class TrainingStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createRun(run: Omit<TrainingRunRow, "created_at" | "updated_at" | "step">, reason: string, at = Date.now()): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("training_runs")
        .values({ ...run, step: 0, created_at: at, updated_at: at })
        .execute();
      await tx
        .insertInto("training_run_events")
        .values({ run_id: run.id, seq: 1, at, from_state: null, to_state: run.state, reason })
        .execute();
    });
  }

  getRun(id: string): Promise<TrainingRunRow | undefined> {
    return this.db.selectFrom("training_runs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  listRuns(): Promise<TrainingRunRow[]> {
    return this.db.selectFrom("training_runs").selectAll().orderBy("created_at", "desc").execute();
  }

  /**
   * Where the runs placed or running hold accelerators: cluster, node and how many. Only these columns, since
   * every run's placement record lists every cluster and placing a run asks this each time.
   */
  async allocations(): Promise<Array<{ cluster: string; node: string; accelerators: number }>> {
    const rows = await this.db
      .selectFrom("training_runs")
      .select(["cluster", "node", "accelerators"])
      .where("state", "in", ["placed", "running"])
      .execute();
    return rows.flatMap((r) => (r.cluster && r.node ? [{ cluster: r.cluster, node: r.node, accelerators: r.accelerators }] : []));
  }

  /**
   * Moves a run to `to` only if it is still in `from` (compare-and-set, so two writers cannot both move it), with
   * other fields (placement, node) changed in the same write; records the event. Returns whether it moved.
   */
  async transition(
    id: string,
    from: string,
    to: string,
    reason: string,
    set: Partial<Pick<TrainingRunRow, "cluster" | "node" | "accelerator" | "placement">> = {},
    at = Date.now(),
  ): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const moved = await tx
        .updateTable("training_runs")
        .set({ ...set, state: to, updated_at: at })
        .where("id", "=", id)
        .where("state", "=", from)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      const last = await tx
        .selectFrom("training_run_events")
        .select((eb) => eb.fn.max<number>("seq").as("seq"))
        .where("run_id", "=", id)
        .executeTakeFirst();
      await tx
        .insertInto("training_run_events")
        .values({ run_id: id, seq: Number(last?.seq ?? 0) + 1, at, from_state: from, to_state: to, reason })
        .execute();
      return true;
    });
  }

  events(id: string) {
    return this.db.selectFrom("training_run_events").selectAll().where("run_id", "=", id).orderBy("seq").execute();
  }

  /** Appends metric points; points already stored (a batch sent again) are ignored. Advances the run's step. */
  async appendMetrics(runId: string, points: readonly MetricPoint[]): Promise<void> {
    if (!points.length) return;
    const top = Math.max(...points.map((p) => p.step));
    // One transaction per batch: one commit (one WAL sync on SQLite) instead of one per statement.
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < points.length; i += 500) {
        const rows = points.slice(i, i + 500).map((p) => ({ ...p, run_id: runId }));
        await tx
          .insertInto("training_metrics")
          .values(rows)
          .onConflict((oc) => oc.columns(["run_id", "step"]).doNothing())
          .execute();
      }
      await tx
        .updateTable("training_runs")
        .set({ step: top, updated_at: Date.now() })
        .where("id", "=", runId)
        .where("step", "<", top)
        .execute();
    });
  }

  /** Metric points of a run with from ≤ step ≤ to, in step order. */
  metrics(runId: string, from = 0, to = 2_147_483_647) {
    return this.db
      .selectFrom("training_metrics")
      .selectAll()
      .where("run_id", "=", runId)
      .where("step", ">=", from)
      .where("step", "<=", to)
      .orderBy("step")
      .execute();
  }

  async recordCheckpoint(runId: string, step: number, location: string, bytes: number, at = Date.now()): Promise<void> {
    await this.db
      .insertInto("training_checkpoints")
      .values({ run_id: runId, step, location, bytes, at })
      .onConflict((oc) => oc.columns(["run_id", "step"]).doNothing())
      .execute();
  }

  checkpoints(runId: string) {
    return this.db.selectFrom("training_checkpoints").selectAll().where("run_id", "=", runId).orderBy("step").execute();
  }

  /** Appends log lines; lines already stored (same attempt and offset) are ignored. */
  async appendLogs(runId: string, lines: readonly LogLine[]): Promise<void> {
    if (!lines.length) return;
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < lines.length; i += 500) {
        const rows = lines.slice(i, i + 500).map((l) => ({ ...l, run_id: runId }));
        await tx
          .insertInto("training_logs")
          .values(rows)
          .onConflict((oc) => oc.columns(["run_id", "attempt", "offset"]).doNothing())
          .execute();
      }
    });
  }

  /** The last `limit` log lines of a run, oldest first (a tail). */
  async logTail(runId: string, limit = 200): Promise<LogLine[]> {
    const rows = await this.db
      .selectFrom("training_logs")
      .select(["attempt", "offset", "at", "text"])
      .where("run_id", "=", runId)
      .orderBy("attempt", "desc")
      .orderBy("offset", "desc")
      .limit(limit)
      .execute();
    return rows.reverse().map((r) => ({ ...r, offset: Number(r.offset), at: Number(r.at) }));
  }

  /**
   * Claims a cluster id for a region unless a region already holds it (one statement, so two regions racing
   * for a new id cannot both win). Returns the region that holds it now.
   */
  async claimCluster(id: string, region: string, at = Date.now()): Promise<string> {
    await this.db
      .insertInto("training_clusters")
      .values({ id, region, registered_at: at })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    return (await this.clusterRegion(id))!;
  }

  /** The region a cluster id belongs to, or undefined if no agent has registered it. */
  async clusterRegion(id: string): Promise<string | undefined> {
    return (await this.db.selectFrom("training_clusters").select("region").where("id", "=", id).executeTakeFirst())?.region;
  }

  lastCheckpoint(runId: string) {
    return this.db
      .selectFrom("training_checkpoints")
      .selectAll()
      .where("run_id", "=", runId)
      .orderBy("step", "desc")
      .limit(1)
      .executeTakeFirst();
  }
}
