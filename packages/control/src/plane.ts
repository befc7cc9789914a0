import { randomUUID } from "node:crypto";
import { MemorySignals, type TrainingStore } from "@benih/store";
import { AcceleratorIndex } from "./accelerator-index.ts";
import { Agents } from "./agents.ts";
import { CommandQueue } from "./command-queue.ts";
import { UploadDesk } from "./datasets/uploads.ts";
import { PlaneError } from "./errors.ts";
import type { RunRequest } from "./fleet.ts";
import { byPreference, place } from "./placement.ts";
import { type Moved, Recovery, type RunRow } from "./recovery.ts";
import type { PlacementRules } from "./rules.ts";
import { recipes as benihRecipes } from "@benih/trainer";
import {
  commandRefusal,
  transitionRefusal,
  type AgentCommand,
  type Cluster,
  type CommandRecipe,
  type CreateRun,
  type Dataset,
  type DatasetReport,
  type DatasetUpload,
  type PlacementDecision,
  type RunCommand,
  type RunCreated,
  type RunReport,
  type RunState,
  type Signals,
} from "@benih/contracts";

export interface PlaneOptions {
  store: TrainingStore;
  rules: PlacementRules;
  datasets: Dataset[];
  /** Trainers benih did not write (recipes of kind `command`), besides benih's own recipes. */
  recipes?: CommandRecipe[];
  now?: () => Date;
  /** How the instances sharing the store wake each other's long polls; one process: in memory. */
  signals?: Signals;
  /** Takes or renews a named lease for `ttlMs`; false while another instance holds it. Default: always true. */
  lease?: (name: string, ttlMs: number) => Promise<boolean>;
  /**
   * How long an agent may stay silent before the sweep takes it for lost (default 30 s). An agent's last-seen time
   * is written at most every quarter of it, and kept fresh that often while the agent waits in a long poll here.
   */
  heartbeatTimeoutMs?: number;
}

type Placed = NonNullable<PlacementDecision["placed"]>;
type Placing = Awaited<ReturnType<TrainingStore["placeRun"]>>;

/**
 * A new run's id: the time first (base 36, so ids sort by age), then 40 random bits. Ids that grow keep the inserts
 * of the runs table and its history at the end of their indexes, not on a random page each.
 */
const runId = () => `run-${Date.now().toString(36)}${randomUUID().replaceAll("-", "").slice(0, 10)}`;

/**
 * The home team's side: runs are created and placed here, commands queued for the agent of the run's cluster and
 * delivered when it next asks. Runs, agents and queued commands live in the store, so several instances can share
 * it: an agent may poll any of them, and a restart of one forgets nothing.
 */
export class ControlPlane {
  private readonly agents: Agents;
  private readonly index: AcceleratorIndex;
  private readonly queue: CommandQueue;
  private readonly recovery: Recovery;
  private readonly now: () => Date;

  private readonly commandRecipes: ReadonlyMap<string, CommandRecipe>;
  /** Datasets uploaded through the control plane, as the store lists them. */
  private readonly uploaded = new Map<string, Dataset>();
  /** Uploads waiting for their region's agent. */
  readonly uploads = new UploadDesk();

  constructor(private readonly o: PlaneOptions) {
    for (const r of o.recipes ?? [])
      if (r.name in benihRecipes) throw new Error(`training.recipes: ${r.name} is the name of one of benih's own recipes; choose another`);
    this.commandRecipes = new Map((o.recipes ?? []).map((r) => [r.name, r]));
    const now = o.now ?? (() => new Date());
    const seenEveryMs = (o.heartbeatTimeoutMs ?? 30_000) / 4;
    this.now = now;
    this.agents = new Agents({ store: o.store, order: byPreference(o.rules), now, seenEveryMs });
    this.index = new AcceleratorIndex(o.store);
    this.queue = new CommandQueue({
      store: o.store,
      signals: o.signals ?? new MemorySignals(),
      now,
      everyMs: seenEveryMs,
      onWaiting: (clusterId, at) => {
        const a = this.agents.known.ofCluster(clusterId);
        if (a) void this.agents.seen(a, at).catch(() => {});
      },
    });
    this.recovery = new Recovery({
      store: o.store,
      ...(o.lease && { lease: o.lease }),
      now,
      agents: this.agents,
      index: this.index,
      queue: this.queue,
      catchUp: () => this.catchUp(),
      placeAgain: (run, why) => this.placeAgain(run, "lost", why),
    });
  }

  /** Registers (or registers again) the agent of a cluster, for the token's region (see `Agents.register`). */
  register(tokenRegion: string, cluster: Cluster): Promise<string> {
    return this.agents.register(tokenRegion, cluster);
  }

  /** Commands for an agent: those queued, or the next to arrive within `waitMs` (a long poll; also a heartbeat). */
  async nextCommands(agentId: string, tokenRegion: string, waitMs: number, signal?: AbortSignal): Promise<AgentCommand[]> {
    const a = await this.agents.agent(agentId, tokenRegion);
    await this.agents.seen(a);
    const commands = await this.queue.next(a.cluster.id, waitMs, signal);
    if (waitMs > 0) await this.agents.seen(a).catch(() => {});
    return commands;
  }

  async heartbeat(agentId: string, tokenRegion: string): Promise<void> {
    await this.agents.seen(await this.agents.agent(agentId, tokenRegion));
  }

  /** Ends the long polls waiting here and stops listening; the store and signals stay open (their owner closes them). */
  close(): Promise<void> {
    return this.queue.close();
  }

  /**
   * Fault recovery: agents silent for longer than `timeoutMs` are dropped, their runs marked lost and placed again
   * elsewhere (see `Recovery`). Returns where each lost run went, if anywhere.
   */
  sweep(timeoutMs: number): Promise<Moved[]> {
    return this.recovery.sweep(timeoutMs);
  }

  /**
   * The registered clusters and what is free on them: what each agent offers, less the accelerators of the runs
   * placed or running on each node, so two runs are not placed on one node's last accelerators.
   */
  async fleet(): Promise<Cluster[]> {
    await this.catchUp();
    return this.agents.known.clusters().map((cluster) => ({
      ...cluster,
      nodes: cluster.nodes.map((n) => ({ ...n, free: Math.max(0, n.free - this.index.used(cluster.id, n.id)) })),
    }));
  }

  /** The configured datasets, then those uploaded through the control plane (on any instance sharing the store). */
  async datasets(): Promise<Dataset[]> {
    await this.syncDatasets();
    return [...this.o.datasets, ...this.uploaded.values()];
  }

  private async syncDatasets(): Promise<void> {
    for (const r of await this.o.store.uploadedDatasets())
      if (!this.uploaded.has(r.id))
        this.uploaded.set(r.id, { id: r.id, market: r.market, region: r.region, source: r.source, flags: [], transfers: [] });
  }

  /**
   * Where an upload of a dataset for `u.market` goes: the region its market's datasets live in, and a cluster there
   * whose agent is connected. Refused with the reason when the name is taken, the market has no such region, or no
   * agent of it is connected (the bytes are handed only to one, never kept here).
   */
  async uploadTarget(u: DatasetUpload): Promise<{ region: string; cluster: string }> {
    const all = await this.datasets();
    const named = all.find((d) => d.id === u.name);
    if (u.split === "train" && named) throw new PlaneError(409, `there is a dataset ${u.name} already: give this one another name`);
    if (u.split !== "train" && (!named || !this.uploaded.has(u.name) || named.market !== u.market))
      throw new PlaneError(
        422,
        `a ${u.split} split is added to a dataset uploaded for market ${u.market}; there is no such dataset ${u.name}`,
      );
    const regions =
      named && u.split !== "train" ? [named.region] : [...new Set(all.filter((d) => d.market === u.market).map((d) => d.region))];
    if (!regions.length)
      throw new PlaneError(
        422,
        `market ${u.market} has no training region: list a dataset of it under training.datasets, with the region its data lives in`,
      );
    if (u.region && !regions.includes(u.region))
      throw new PlaneError(422, `market ${u.market}'s data lives in ${regions.join(", ")}, not ${u.region}`);
    if (!u.region && regions.length > 1)
      throw new PlaneError(422, `market ${u.market}'s data lives in ${regions.join(", ")}: say which region with region=`);
    const region = u.region ?? regions[0]!;
    await this.catchUp();
    const cluster = this.agents.known.clusters().find((c) => c.region === region);
    if (!cluster)
      throw new PlaneError(
        409,
        `no agent of region ${region} is connected: market ${u.market}'s datasets are handed only to an agent in ${region} and never kept here; start one and upload again`,
      );
    return { region, cluster: cluster.id };
  }

  /** Asks the agent of `cluster` to fetch and keep an upload. */
  requestUpload(cluster: string, command: Extract<AgentCommand, { type: "dataset" }>): Promise<void> {
    return this.queue.send(cluster, command);
  }

  /** Records a dataset an agent kept in its region; runs may train on it from now on. */
  async addDataset(d: { id: string; market: string; region: string; source: string }, report: DatasetReport, by: string): Promise<void> {
    const added = await this.o.store.recordDataset({ ...d, report: JSON.stringify(report), by, created_at: this.now().getTime() });
    if (!added) throw new PlaneError(409, `there is a dataset ${d.id} already`);
    this.uploaded.set(d.id, { ...d, flags: [], transfers: [] });
  }

  /** The recipes a run may name: benih's own, then the configured command recipes. */
  recipes(): { benih: string[]; command: CommandRecipe[] } {
    return { benih: Object.keys(benihRecipes), command: [...this.commandRecipes.values()] };
  }

  /** A configured command recipe, or undefined for one of benih's own; 422 for a name that is neither. */
  private recipe(name: string): CommandRecipe | undefined {
    if (name in benihRecipes) return undefined;
    const r = this.commandRecipes.get(name);
    if (!r)
      throw new PlaneError(422, `no recipe ${name}; recipes: ${[...Object.keys(benihRecipes), ...this.commandRecipes.keys()].join(", ")}`);
    return r;
  }

  /** A dataset by id (after `syncDatasets` for uploads made on other instances). */
  dataset(id: string): Dataset {
    const d = this.o.datasets.find((x) => x.id === id) ?? this.uploaded.get(id);
    if (!d)
      throw new PlaneError(422, `no dataset ${id}; datasets: ${[...this.o.datasets.map((x) => x.id), ...this.uploaded.keys()].join(", ")}`);
    return d;
  }

  /**
   * Creates and places a run; a run that can go nowhere is refused with every cluster's reasons (422), one whose
   * node was taken meanwhile (by another instance) with 409.
   */
  async createRun(r: CreateRun): Promise<RunCreated> {
    await this.syncDatasets();
    const request = this.requestFor(r);
    const accelerator = request.accelerator;
    const dataset = request.dataset;
    await this.catchUp();
    const placement = this.decide(request);
    if (!placement.placed) throw new PlaneError(422, placement.summary, placement);
    const id = runId();
    const at = this.now().getTime();
    const p = placement.placed;
    const run = {
      id,
      recipe: r.recipe,
      dataset: dataset.id,
      market: dataset.market,
      steps: r.steps,
      cluster: p.cluster,
      node: p.node,
      accelerator: p.accelerator,
      requested_accelerator: accelerator ?? null,
      accelerators: request.count,
      placement: JSON.stringify(placement),
    };
    const command = JSON.stringify(this.startCommand(run, p, 1, null));
    const placing = await this.o.store.createPlacedRun(
      run,
      { created: "created", placed: placement.summary },
      { clusterId: p.cluster, command },
      this.offer(p),
      at,
    );
    this.refuseUnlessPlaced(placing, p, request.count, `run ${id} was not created`);
    await this.queue.wake(p.cluster);
    return { id, placement };
  }

  /** Where a run would go if created now, and why the other clusters would not take it: nothing is created or held. */
  async preview(r: CreateRun): Promise<PlacementDecision> {
    await this.syncDatasets();
    const request = this.requestFor(r);
    await this.catchUp();
    return this.decide(request);
  }

  /** What a new run asks for: its dataset, and a command recipe's accelerator request unless the run gives its own. */
  private requestFor(r: CreateRun): RunRequest {
    const dataset = this.dataset(r.dataset);
    const asks = this.recipe(r.recipe)?.accelerator;
    const accelerator = r.accelerator ?? asks?.type;
    return { dataset, count: r.count ?? asks?.count ?? 1, ...(accelerator && { accelerator }) };
  }

  /** pause, resume, stop, checkpoint: refused with 409 and the reason when the run's state does not allow it. */
  async command(runId: string, command: RunCommand): Promise<void> {
    const run = await this.o.store.getRun(runId);
    if (!run) throw new PlaneError(404, `no run ${runId}`);
    const refused = commandRefusal(runId, run.state as RunState, command);
    if (refused) throw new PlaneError(409, refused);
    if (command === "resume") {
      await this.catchUp();
      await this.placeAgain(run, "paused", (step) => `resumed from step ${step}`);
      return;
    }
    if (command === "stop" && (run.state === "queued" || run.state === "paused" || run.state === "lost")) {
      // Nothing runs anywhere: stopped at once.
      await this.o.store.transition(runId, run.state, "stopped", "stopped by command");
      return;
    }
    await this.queue.send(run.cluster!, { type: command, runId });
  }

  /**
   * The run an agent may write for: it must be placed on a cluster of the agent's region (403 otherwise) and,
   * when the agent says who it is, on the agent's own cluster. A run moved elsewhere (its agent was thought
   * lost) gets 409 `run_moved`, and the agent stops its copy: two processes never train one run.
   */
  async runFor(runId: string, tokenRegion: string, agentId?: string) {
    const run = await this.o.store.getRun(runId);
    if (!run) throw new PlaneError(404, `no run ${runId}`);
    // The region that owns the run's cluster now; the placement's region for a run never placed, or placed on
    // a cluster registered before clusters had owners.
    const placed = (JSON.parse(run.placement) as { placed?: { region: string } }).placed?.region;
    const region = (run.cluster ? await this.agents.ownerOf(run.cluster) : undefined) ?? placed;
    if (region !== tokenRegion) throw new PlaneError(403, `run ${runId} does not run in ${tokenRegion}`);
    const agent = agentId ? await this.agents.lookUp(agentId) : undefined;
    if (agent && agent.cluster.region !== tokenRegion)
      throw new PlaneError(403, `agent ${agentId} is in ${agent.cluster.region}, not ${tokenRegion}`);
    const cluster = agent?.cluster.id;
    if (cluster && cluster !== run.cluster)
      throw new PlaneError(409, `run ${runId} now runs on ${run.cluster ?? "no cluster"}, not ${cluster}: stop it here`, {
        code: "run_moved",
      });
    return run;
  }

  /** What an agent reports about a run it executes: state changes and checkpoints. */
  async report(runId: string, tokenRegion: string, e: RunReport, agentId?: string): Promise<void> {
    const run = await this.runFor(runId, tokenRegion, agentId);
    if (e.checkpoint) await this.o.store.recordCheckpoint(runId, e.checkpoint.step, e.checkpoint.location, e.checkpoint.bytes);
    // Kept before the run is seen to succeed: a succeeded run's model can be promoted at once.
    if (e.model) await this.o.store.recordRunModel(runId, JSON.stringify(e.model));
    if (e.state && e.state !== run.state) {
      const refused = transitionRefusal(run.state as RunState, e.state);
      if (refused) throw new PlaneError(409, `run ${runId}: ${refused}`);
      await this.o.store.transition(runId, run.state, e.state, e.reason ?? `reported by the agent`);
    }
  }

  /** Catches up with the agents and runs that changed on any instance. */
  private async catchUp(): Promise<void> {
    await Promise.all([this.agents.known.sync(), this.index.sync(), this.syncDatasets()]);
  }

  /** Where a run may go now (after `catchUp`): one look at each registered cluster. */
  private decide(request: RunRequest): PlacementDecision {
    return place(request, this.agents.known.clusters(), this.o.rules, this.now(), { ordered: true, used: this.index.used });
  }

  /** What a run asked for when created: what it asks for again when resumed or recovered. */
  private requestOf(run: RunRow): RunRequest {
    return {
      dataset: this.dataset(run.dataset),
      count: run.accelerators,
      ...(run.requested_accelerator && { accelerator: run.requested_accelerator }),
    };
  }

  /** The node chosen, and what its agent registered as free there: what the runs placed on it must fit in. */
  private offer(p: Placed): { cluster: string; node: string; free: number } {
    const node = this.agents.known.ofCluster(p.cluster)?.cluster.nodes.find((n) => n.id === p.node);
    return { cluster: p.cluster, node: p.node, free: node?.free ?? 0 };
  }

  /**
   * Places a run that holds no accelerators (`from`: paused or lost) again, asking what it asked for when created,
   * and starts it there from its last checkpoint; `why` opens the placed event's reason. Returns the cluster it
   * went to; refused with 409 when it can go nowhere now or changed state meanwhile. Call after `catchUp`.
   */
  private async placeAgain(run: RunRow, from: "paused" | "lost", why: (lastStep: number) => string): Promise<string> {
    this.recipe(run.recipe); // a command recipe taken out of the config: refused before anything is held
    await this.index.sync();
    const request = this.requestOf(run);
    const placement = this.decide(request);
    const p = placement.placed;
    if (!p) throw new PlaneError(409, `run ${run.id} cannot be placed now: ${placement.summary}`, placement);
    const last = await this.o.store.lastCheckpoint(run.id);
    const placing = await this.o.store.placeRun(run.id, from, `${why(last?.step ?? 0)}: ${placement.summary}`, this.offer(p), {
      accelerator: p.accelerator,
      placement: JSON.stringify(placement),
    });
    this.refuseUnlessPlaced(placing, p, request.count, `run ${run.id} stays ${from}`);
    await this.start(run, p);
    return p.cluster;
  }

  /** 409 when the store did not place the run: it changed state meanwhile, or its node was taken meanwhile. */
  private refuseUnlessPlaced(placing: Placing, p: Placed, count: number, outcome: string): void {
    if (placing.placed) return;
    if ("changed" in placing) throw new PlaneError(409, `${outcome}: it changed state meanwhile`);
    throw new PlaneError(
      409,
      `${outcome}: node ${p.node} of ${p.cluster} has ${placing.free} free ${p.accelerator} now, and it needs ${count}; another run was placed there meanwhile: try again`,
      { code: "node_taken", cluster: p.cluster, node: p.node, free: placing.free },
    );
  }

  /** Sends the run's next attempt to the cluster it was placed on, resuming from its last checkpoint if any. */
  private async start(run: RunRow, placed: Placed): Promise<void> {
    const attempt = (await this.o.store.events(run.id)).filter((e) => e.to_state === "placed").length;
    const last = await this.o.store.lastCheckpoint(run.id);
    await this.queue.send(
      placed.cluster,
      this.startCommand(run, placed, attempt, last ? { step: last.step, location: last.location } : null),
    );
  }

  private startCommand(
    run: { id: string; recipe: string; dataset: string; steps: number; accelerators: number },
    placed: { node: string; accelerator: string },
    attempt: number,
    resumeFrom: { step: number; location: string } | null,
  ): AgentCommand {
    const d = this.dataset(run.dataset);
    const recipe = this.recipe(run.recipe);
    return {
      type: "start",
      runId: run.id,
      attempt,
      recipe: run.recipe,
      dataset: d.id,
      source: d.source ?? d.id,
      steps: run.steps,
      node: placed.node,
      accelerator: placed.accelerator,
      count: run.accelerators,
      resumeFrom,
      ...(recipe && {
        trainer: {
          command: recipe.command,
          ...(recipe.image && { image: recipe.image }),
          env: recipe.env,
          nodes: recipe.accelerator.nodes,
        },
      }),
    };
  }
}
