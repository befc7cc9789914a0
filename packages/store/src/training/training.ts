import type { Insertable, Kysely, Selectable, Transaction } from "kysely";
import type { Database } from "../database.ts";
import type {
  ModelPromotionsTable,
  TrainingAgentsTable,
  TrainingDatasetsTable,
  TrainingLogsTable,
  TrainingMetricsTable,
  TrainingRunsTable,
} from "./tables.ts";

export type TrainingRunRow = Selectable<TrainingRunsTable>;
export type MetricPoint = Omit<Insertable<TrainingMetricsTable>, "run_id">;
export type LogLine = Omit<Selectable<TrainingLogsTable>, "run_id">;
export type TrainingAgentRow = Selectable<TrainingAgentsTable>;
/** What the accelerator index of a run needs to know: where it is and how many it holds while placed or running. */
export type RunHolding = Pick<TrainingRunRow, "id" | "state" | "cluster" | "node" | "accelerators" | "version">;

/** A command handed out of an agent's queue: with its place in the queue, so it can be put back there. */
export type QueuedCommand = { seq: number; command: string; at: number };
/**
 * How placing a run went: placed; not moved, as it was no longer in the state it was read in; or refused, as the
 * node no longer has the accelerators (another run took them meanwhile): `free` is what it has free now.
 */
export type Placing = { placed: true } | { placed: false; changed: true } | { placed: false; free: number };
/** Where a run goes: the node, and the accelerators its agent registered as free there (what runs on it share). */
export type NodeOffer = { cluster: string; node: string; free: number };

const holding = ["id", "state", "cluster", "node", "accelerators", "version"] as const;

/** Thrown inside a transaction to roll it back and report why. */
class Refused {
  constructor(readonly placing: Placing) {}
}

/** Runs, their state history, checkpoint records and metrics: what the control plane keeps. */
export class TrainingStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createRun(
    run: Omit<TrainingRunRow, "created_at" | "updated_at" | "step" | "version" | "tags" | "note" | "model">,
    reason: string,
    at = Date.now(),
  ): Promise<void> {
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

  /**
   * Creates a run already placed: its `queued` and `placed` events and the start command for its agent, in one
   * transaction (one commit, where three would cost three syncs of the log). Refused, with nothing written, when
   * the runs placed or running on the node would then hold more than `offer.free`.
   */
  async createPlacedRun(
    run: Omit<TrainingRunRow, "created_at" | "updated_at" | "step" | "version" | "state" | "tags" | "note" | "model">,
    reasons: { created: string; placed: string },
    command: { clusterId: string; command: string },
    offer: NodeOffer,
    at = Date.now(),
  ): Promise<Placing> {
    return this.refusable(async (tx) => {
      const version = await this.next(tx, "runs");
      await tx
        .insertInto("training_runs")
        .values({ ...run, cluster: offer.cluster, node: offer.node, state: "placed", step: 0, created_at: at, updated_at: at, version })
        .execute();
      await this.mustFit(tx, offer, run.accelerators);
      await tx
        .insertInto("training_run_events")
        .values([
          { run_id: run.id, seq: 1, at, from_state: null, to_state: "queued", reason: reasons.created },
          { run_id: run.id, seq: 2, at, from_state: "queued", to_state: "placed", reason: reasons.placed },
        ])
        .execute();
      await tx.insertInto("training_commands").values({ cluster_id: command.clusterId, command: command.command, at }).execute();
    });
  }

  /**
   * Moves a run from `from` to `placed` on the offered node (compare-and-set, as `transition`), refused with
   * nothing written when the runs placed or running there would then hold more than `offer.free`.
   */
  placeRun(
    id: string,
    from: string,
    reason: string,
    offer: NodeOffer,
    set: { accelerator: string; placement: string },
    at = Date.now(),
  ): Promise<Placing> {
    return this.refusable(async (tx) => {
      const moved = await this.move(tx, id, from, "placed", reason, { ...set, cluster: offer.cluster, node: offer.node }, at);
      if (!moved) throw new Refused({ placed: false, changed: true });
      await this.mustFit(tx, offer, moved.accelerators);
    });
  }

  /** Runs `write` in a transaction; a `Refused` it throws rolls it back and is the answer. */
  private async refusable(write: (tx: Transaction<Database>) => Promise<void>): Promise<Placing> {
    try {
      await this.db.transaction().execute(write);
      return { placed: true };
    } catch (err) {
      if (err instanceof Refused) return err.placing;
      throw err;
    }
  }

  /**
   * Refuses (rolling back) unless the runs placed or running on the offered node, the one just written included,
   * fit in what it offers. Called after `next(tx, "runs")`: the counter's row lock, held to commit, makes writers
   * that place runs go one at a time, each seeing the runs the others placed.
   */
  private async mustFit(tx: Transaction<Database>, offer: NodeOffer, placing: number): Promise<void> {
    const used = await tx
      .selectFrom("training_runs")
      .select((eb) => eb.fn.sum<number | string | null>("accelerators").as("held"))
      .where("state", "in", ["placed", "running"])
      .where("cluster", "=", offer.cluster)
      .where("node", "=", offer.node)
      .executeTakeFirst();
    const held = Number(used?.held ?? 0);
    if (held > offer.free) throw new Refused({ placed: false, free: Math.max(0, offer.free - (held - placing)) });
  }
  getRun(id: string): Promise<TrainingRunRow | undefined> {
    return this.db.selectFrom("training_runs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  listRuns(): Promise<TrainingRunRow[]> {
    return this.db.selectFrom("training_runs").selectAll().orderBy("created_at", "desc").execute();
  }

  /** Runs in any of `states`, optionally only those on `clusters`. */
  runsIn(states: readonly string[], clusters?: readonly string[]): Promise<TrainingRunRow[]> {
    let q = this.db.selectFrom("training_runs").selectAll().where("state", "in", states);
    if (clusters) {
      if (!clusters.length) return Promise.resolve([]);
      q = q.where("cluster", "in", clusters);
    }
    return q.orderBy("created_at").execute();
  }

  /**
   * The runs placed or running (they hold accelerators) and the `runs` counter they are current to: what an
   * accelerator index starts from, then keeps up to date with `runsChangedSince`.
   */
  async holdings(): Promise<{ version: number; runs: RunHolding[] }> {
    // The counter first: a run that changes in between is read twice, never missed.
    const version = await this.version("runs");
    const runs = await this.db.selectFrom("training_runs").select(holding).where("state", "in", ["placed", "running"]).execute();
    return { version, runs };
  }

  /** Runs whose state changed after `version` of the `runs` counter, in the order they changed. */
  runsChangedSince(version: number): Promise<RunHolding[]> {
    return this.db.selectFrom("training_runs").select(holding).where("version", ">", version).orderBy("version").execute();
  }

  /** A counter's value (`fleet`, `runs`): the number of the last change it counted. */
  async version(name: "fleet" | "runs"): Promise<number> {
    const row = await this.db.selectFrom("training_versions").select("value").where("name", "=", name).executeTakeFirst();
    return Number(row?.value ?? 0);
  }

  /** The next number of a counter, in a transaction: its row stays locked until commit, so numbers commit in order. */
  private async next(tx: Transaction<Database>, name: "fleet" | "runs"): Promise<number> {
    const row = await tx
      .updateTable("training_versions")
      .set((eb) => ({ value: eb("value", "+", 1) }))
      .where("name", "=", name)
      .returning("value")
      .executeTakeFirstOrThrow();
    return Number(row.value);
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
    return this.db.transaction().execute(async (tx) => Boolean(await this.move(tx, id, from, to, reason, set, at)));
  }

  /**
   * `transition` inside a transaction. The `runs` counter is taken only once the run moved, so it counts only
   * changes. Returns the moved run's accelerators, or undefined when it was not in `from`.
   */
  private async move(
    tx: Transaction<Database>,
    id: string,
    from: string,
    to: string,
    reason: string,
    set: Partial<Pick<TrainingRunRow, "cluster" | "node" | "accelerator" | "placement">>,
    at: number,
  ): Promise<{ accelerators: number } | undefined> {
    const moved = await tx
      .updateTable("training_runs")
      .set({ ...set, state: to, updated_at: at })
      .where("id", "=", id)
      .where("state", "=", from)
      .returning("accelerators")
      .executeTakeFirst();
    if (!moved) return undefined;
    await tx
      .updateTable("training_runs")
      .set({ version: await this.next(tx, "runs") })
      .where("id", "=", id)
      .execute();
    const last = await tx
      .selectFrom("training_run_events")
      .select((eb) => eb.fn.max<number>("seq").as("seq"))
      .where("run_id", "=", id)
      .executeTakeFirst();
    await tx
      .insertInto("training_run_events")
      .values({ run_id: id, seq: Number(last?.seq ?? 0) + 1, at, from_state: from, to_state: to, reason })
      .execute();
    return { accelerators: Number(moved.accelerators) };
  }

  /** Sets what is given of a run's tags and note; false when there is no such run. Its state and version stay. */
  async annotateRun(id: string, o: { tags?: readonly string[]; note?: string }, at = Date.now()): Promise<boolean> {
    const set = { ...(o.tags && { tags: JSON.stringify(o.tags) }), ...(o.note !== undefined && { note: o.note }), updated_at: at };
    const r = await this.db.updateTable("training_runs").set(set).where("id", "=", id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Replaces a run's scores with these (a finished run's evaluation, sent again after a reconnect, counts once). */
  async recordScores(
    runId: string,
    scores: ReadonlyArray<{ name: string; value: number; count?: number }>,
    at = Date.now(),
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("training_scores").where("run_id", "=", runId).execute();
      if (scores.length)
        await tx
          .insertInto("training_scores")
          .values(scores.map((s) => ({ run_id: runId, name: s.name, value: s.value, count: s.count ?? null, at })))
          .execute();
    });
  }

  /** Keeps what a run made to serve (JSON of a `RunModel`), as its agent reported it. */
  async recordRunModel(runId: string, model: string): Promise<void> {
    await this.db.updateTable("training_runs").set({ model }).where("id", "=", runId).execute();
  }

  /** Records an uploaded dataset its region's agent keeps; false when the id is taken. */
  async recordDataset(row: Selectable<TrainingDatasetsTable>): Promise<boolean> {
    const r = await this.db
      .insertInto("training_datasets")
      .values(row)
      .onConflict((oc) => oc.column("id").doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  uploadedDatasets() {
    return this.db.selectFrom("training_datasets").selectAll().orderBy("created_at").execute();
  }

  async recordPromotion(row: Selectable<ModelPromotionsTable>): Promise<void> {
    await this.db.insertInto("model_promotions").values(row).execute();
  }

  /** The newest promotions and rollbacks first: the audit of what markets served. */
  promotions(limit = 200) {
    return this.db.selectFrom("model_promotions").selectAll().orderBy("at", "desc").orderBy("id", "desc").limit(limit).execute();
  }

  /** The newest promotion or rollback of each market's model id: what each serves now. */
  latestPromotions() {
    return this.db
      .selectFrom("model_promotions as p")
      .selectAll("p")
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("model_promotions as q")
              .select("q.id")
              .whereRef("q.market", "=", "p.market")
              .whereRef("q.model_id", "=", "p.model_id")
              .whereRef("q.at", ">", "p.at"),
          ),
        ),
      )
      .orderBy("p.market")
      .orderBy("p.model_id")
      .execute();
  }

  /** Every promotion and rollback of one market's model id, newest first. */
  promotionsOf(market: string, modelId: string) {
    return this.db
      .selectFrom("model_promotions")
      .selectAll()
      .where("market", "=", market)
      .where("model_id", "=", modelId)
      .orderBy("at", "desc")
      .orderBy("id", "desc")
      .execute();
  }

  scores(runId: string) {
    return this.db.selectFrom("training_scores").select(["name", "value", "count"]).where("run_id", "=", runId).orderBy("name").execute();
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

  /**
   * Registers the agent of a cluster (or registers it again: it keeps its id unless the sweep had dropped it).
   * Returns the agent's id.
   */
  async registerAgent(a: { clusterId: string; agentId: string; region: string; cluster: string }, at = Date.now()): Promise<string> {
    return this.db.transaction().execute(async (tx) => {
      const version = await this.next(tx, "fleet");
      const row = await tx
        .insertInto("training_agents")
        .values({
          cluster_id: a.clusterId,
          agent_id: a.agentId,
          region: a.region,
          cluster: a.cluster,
          registered_at: at,
          last_seen: at,
          dropped: 0,
          version,
        })
        .onConflict((oc) =>
          oc.column("cluster_id").doUpdateSet((eb) => ({
            agent_id: eb
              .case()
              .when("training_agents.dropped", "=", 1)
              .then(eb.ref("excluded.agent_id"))
              .else(eb.ref("training_agents.agent_id"))
              .end(),
            region: eb.ref("excluded.region"),
            cluster: eb.ref("excluded.cluster"),
            last_seen: eb.ref("excluded.last_seen"),
            dropped: 0,
            version,
          })),
        )
        .returning("agent_id")
        .executeTakeFirstOrThrow();
      return row.agent_id;
    });
  }

  /** The agents registered and not dropped, and the `fleet` counter they are current to. */
  async fleet(): Promise<{ version: number; agents: TrainingAgentRow[] }> {
    const version = await this.version("fleet");
    const agents = await this.db.selectFrom("training_agents").selectAll().where("dropped", "=", 0).execute();
    return { version, agents };
  }

  /** Agents registered or dropped after `version` of the `fleet` counter, in the order that happened. */
  agentsChangedSince(version: number): Promise<TrainingAgentRow[]> {
    return this.db.selectFrom("training_agents").selectAll().where("version", ">", version).orderBy("version").execute();
  }

  /** Records that these clusters' agents were heard from at `at` (never moving it back; a dropped one stays dropped). */
  async agentsSeen(clusterIds: readonly string[], at = Date.now()): Promise<void> {
    for (let i = 0; i < clusterIds.length; i += 500)
      await this.db
        .updateTable("training_agents")
        .set({ last_seen: at })
        .where("cluster_id", "in", clusterIds.slice(i, i + 500))
        .where("dropped", "=", 0)
        .where("last_seen", "<", at)
        .execute();
  }

  /** Agents not dropped that were last heard from before `before`. */
  silentAgents(before: number): Promise<TrainingAgentRow[]> {
    return this.db.selectFrom("training_agents").selectAll().where("dropped", "=", 0).where("last_seen", "<", before).execute();
  }

  /**
   * Drops a cluster's agent if it is still silent since `before` (a heartbeat that came meanwhile keeps it), and
   * the commands queued for it. Returns whether it was dropped.
   */
  async dropAgent(clusterId: string, before: number): Promise<boolean> {
    const kept = new Error("kept");
    try {
      return await this.db.transaction().execute(async (tx) => {
        const version = await this.next(tx, "fleet");
        const dropped = await tx
          .updateTable("training_agents")
          .set({ dropped: 1, version })
          .where("cluster_id", "=", clusterId)
          .where("dropped", "=", 0)
          .where("last_seen", "<", before)
          .executeTakeFirst();
        // Not dropped: rolled back, so the counter counts only changes.
        if (Number(dropped.numUpdatedRows) !== 1) throw kept;
        await tx.deleteFrom("training_commands").where("cluster_id", "=", clusterId).execute();
        return true;
      });
    } catch (err) {
      if (err === kept) return false;
      throw err;
    }
  }

  /** Queues a command (JSON) for the agent of a cluster. */
  async queueCommand(clusterId: string, command: string, at = Date.now()): Promise<void> {
    await this.db.insertInto("training_commands").values({ cluster_id: clusterId, command, at }).execute();
  }

  /** Hands out the commands queued for a cluster, in the order queued; each is handed out once, to one caller. */
  async takeCommands(clusterId: string): Promise<QueuedCommand[]> {
    const rows = await this.db
      .deleteFrom("training_commands")
      .where("cluster_id", "=", clusterId)
      .returning(["seq", "command", "at"])
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), command: r.command, at: Number(r.at) })).sort((a, b) => a.seq - b.seq);
  }

  /**
   * Puts commands taken for a caller that could not deliver them back in the queue, each in the place it had
   * (seq numbers are never used twice, so they come before every command queued since). Not while the cluster's
   * agent is dropped: its queue went with it.
   */
  async putBackCommands(clusterId: string, commands: readonly QueuedCommand[]): Promise<void> {
    if (!commands.length) return;
    await this.db.transaction().execute(async (tx) => {
      const agent = await tx.selectFrom("training_agents").select("dropped").where("cluster_id", "=", clusterId).executeTakeFirst();
      if (!agent || Number(agent.dropped)) return;
      await tx
        .insertInto("training_commands")
        .values(commands.map((c) => ({ seq: c.seq, cluster_id: clusterId, command: c.command, at: c.at })))
        .execute();
    });
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
