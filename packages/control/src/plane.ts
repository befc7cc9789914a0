import { randomUUID } from "node:crypto";
import type { TrainingStore } from "@benih/store";
import type { RunRequest } from "./fleet.ts";
import { place } from "./placement.ts";
import type { PlacementRules } from "./rules.ts";
import {
  commandRefusal,
  transitionRefusal,
  type AgentCommand,
  type Cluster,
  type CreateRun,
  type Dataset,
  type RunCommand,
  type RunCreated,
  type RunReport,
  type RunState,
} from "@benih/contracts";

export class PlaneError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

interface Agent {
  id: string;
  cluster: Cluster;
  lastSeen: number;
  queue: AgentCommand[];
  waiter?: (commands: AgentCommand[]) => void;
}

export interface PlaneOptions {
  store: TrainingStore;
  rules: PlacementRules;
  datasets: Dataset[];
  now?: () => Date;
}

/**
 * The home team's side: runs are created and placed here, commands queued for the agent of the run's cluster and
 * delivered when it next asks. Runs live in the store; agents re-register after a restart of the plane.
 */
export class ControlPlane {
  private readonly agents = new Map<string, Agent>();
  /** Cluster id → the region it belongs to, as the store keeps it (a cache: ownership never changes). */
  private readonly owners = new Map<string, string>();
  private readonly now: () => Date;
  private readonly startedAt: number;

  constructor(private readonly o: PlaneOptions) {
    this.now = o.now ?? (() => new Date());
    this.startedAt = this.now().getTime();
  }

  /**
   * Registers (or registers again) the agent of a cluster. A cluster id belongs to the region that registered it
   * first, for good (kept in the store, so a restart changes nothing): another region's token is refused with 409,
   * and cannot take over the cluster's agent, its queued commands or its place in the fleet.
   */
  async register(tokenRegion: string, cluster: Cluster): Promise<string> {
    if (cluster.region !== tokenRegion) throw new PlaneError(403, `this token speaks for region ${tokenRegion}, not ${cluster.region}`);
    const owner = await this.ownerOf(cluster.id, tokenRegion);
    if (owner !== tokenRegion) {
      throw new PlaneError(
        409,
        `cluster ${cluster.id} belongs to region ${owner}, whose agent registered it first; an agent of ${tokenRegion} cannot register it: give this cluster an id of its own`,
        { code: "cluster_of_another_region", cluster: cluster.id, region: owner },
      );
    }
    // Looked up after the await, so two registrations of one cluster at once end with one agent.
    const existing = [...this.agents.values()].find((a) => a.cluster.id === cluster.id);
    const id = existing?.id ?? `agent-${randomUUID().slice(0, 8)}`;
    this.agents.set(id, { id, cluster, lastSeen: this.now().getTime(), queue: existing?.queue ?? [] });
    return id;
  }

  /** The region a cluster belongs to; with `claimFor`, claimed for that region if no region holds it yet. */
  private async ownerOf(clusterId: string, claimFor?: string): Promise<string | undefined> {
    let owner = this.owners.get(clusterId);
    if (owner) return owner;
    owner = claimFor
      ? await this.o.store.claimCluster(clusterId, claimFor, this.now().getTime())
      : await this.o.store.clusterRegion(clusterId);
    if (owner) this.owners.set(clusterId, owner);
    return owner;
  }

  private agent(id: string, tokenRegion: string): Agent {
    const a = this.agents.get(id);
    if (!a) throw new PlaneError(404, `no agent ${id}: register again`);
    if (a.cluster.region !== tokenRegion) throw new PlaneError(403, `agent ${id} is in ${a.cluster.region}, not ${tokenRegion}`);
    return a;
  }

  /** Commands for an agent: those queued, or the next to arrive within `waitMs` (a long poll; also a heartbeat). */
  async nextCommands(agentId: string, tokenRegion: string, waitMs: number, signal?: AbortSignal): Promise<AgentCommand[]> {
    const a = this.agent(agentId, tokenRegion);
    a.lastSeen = this.now().getTime();
    if (a.queue.length) return a.queue.splice(0);
    return new Promise((resolve) => {
      const done = (cmds: AgentCommand[]) => {
        clearTimeout(timer);
        if (a.waiter === done) delete a.waiter;
        a.lastSeen = this.now().getTime();
        resolve(cmds);
      };
      const timer = setTimeout(() => done([]), waitMs);
      signal?.addEventListener("abort", () => done([]), { once: true });
      a.waiter?.([]);
      a.waiter = done;
    });
  }

  heartbeat(agentId: string, tokenRegion: string): void {
    this.agent(agentId, tokenRegion).lastSeen = this.now().getTime();
  }

  private send(clusterId: string, cmd: AgentCommand): void {
    const a = [...this.agents.values()].find((x) => x.cluster.id === clusterId);
    if (!a) return; // delivered when the agent registers again: its queue is kept by cluster
    if (a.waiter) a.waiter([...a.queue.splice(0), cmd]);
    else a.queue.push(cmd);
  }

  /** Sends the run's next attempt to the cluster it was placed on, resuming from its last checkpoint if any. */
  private async start(
    run: { id: string; recipe: string; dataset: string; steps: number; accelerators: number },
    placed: { cluster: string; node: string; accelerator: string },
  ): Promise<void> {
    const d = this.dataset(run.dataset);
    const attempt = (await this.o.store.events(run.id)).filter((e) => e.to_state === "placed").length;
    const last = await this.o.store.lastCheckpoint(run.id);
    this.send(placed.cluster, {
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
      resumeFrom: last ? { step: last.step, location: last.location } : null,
    });
  }

  /** Where a run may go now, asking for what it asked for when created. */
  private async placeAgain(run: { dataset: string; requested_accelerator: string | null; accelerators: number }) {
    return place(
      {
        dataset: this.dataset(run.dataset),
        count: run.accelerators,
        ...(run.requested_accelerator && { accelerator: run.requested_accelerator }),
      },
      await this.fleet(),
      this.o.rules,
      this.now(),
    );
  }

  /**
   * The registered clusters and what is free on them: what each agent offers, less the accelerators of the runs
   * placed or running on each node, so two runs are not placed on one node's last accelerators.
   */
  async fleet(): Promise<Cluster[]> {
    const used = new Map<string, number>();
    const at = (cluster: string, node: string) => `${cluster}\u0000${node}`;
    for (const a of await this.o.store.allocations())
      used.set(at(a.cluster, a.node), (used.get(at(a.cluster, a.node)) ?? 0) + a.accelerators);
    return [...this.agents.values()].map(({ cluster }) => ({
      ...cluster,
      nodes: cluster.nodes.map((n) => ({ ...n, free: Math.max(0, n.free - (used.get(at(cluster.id, n.id)) ?? 0)) })),
    }));
  }

  /**
   * Fault recovery: an agent silent for longer than `timeoutMs` is dropped from the fleet; its placed or running
   * runs are marked lost, then placed again on another eligible agent (the same rules apply), which resumes them
   * from their last checkpoint. A run with nowhere to go stays lost until an eligible agent registers.
   */
  async sweep(timeoutMs: number): Promise<Array<{ runId: string; from: string; to?: string }>> {
    const now = this.now().getTime();
    // An agent waiting in a long poll is alive: its connection is open (kill -9 closes it, which ends the wait).
    const dead = [...this.agents.values()].filter((a) => !a.waiter && now - a.lastSeen > timeoutMs);
    for (const a of dead) this.agents.delete(a.id);
    const moved: Array<{ runId: string; from: string; to?: string }> = [];
    const deadClusters = new Map(dead.map((a) => [a.cluster.id, a]));
    const live = new Set([...this.agents.values()].map((a) => a.cluster.id));
    // After a restart the plane knows no agents: a run whose agent has not registered again within the timeout
    // is as lost as one whose agent went silent.
    const settled = now - this.startedAt > timeoutMs;
    for (const run of await this.o.store.listRuns()) {
      const lostAgent = run.cluster ? deadClusters.get(run.cluster) : undefined;
      const orphaned = settled && run.cluster && !live.has(run.cluster);
      if ((lostAgent || orphaned) && (run.state === "placed" || run.state === "running")) {
        const reason = lostAgent
          ? `agent ${lostAgent.id} (${run.cluster}) sent no heartbeat for ${Math.round((now - lostAgent.lastSeen) / 1000)} s`
          : `no agent for ${run.cluster} has registered since the control plane started`;
        await this.o.store.transition(run.id, run.state, "lost", reason);
        run.state = "lost";
      }
      if (run.state !== "lost") continue;
      const placement = await this.placeAgain(run);
      if (!placement.placed) {
        moved.push({ runId: run.id, from: run.cluster ?? "" });
        continue;
      }
      const p = placement.placed;
      const last = await this.o.store.lastCheckpoint(run.id);
      const ok = await this.o.store.transition(
        run.id,
        "lost",
        "placed",
        `resumed from step ${last?.step ?? 0} after its agent was lost: ${placement.summary}`,
        { cluster: p.cluster, node: p.node, accelerator: p.accelerator, placement: JSON.stringify(placement) },
      );
      if (!ok) continue;
      await this.start(run, p);
      moved.push({ runId: run.id, from: run.cluster ?? "", to: p.cluster });
    }
    return moved;
  }

  datasets(): readonly Dataset[] {
    return this.o.datasets;
  }

  dataset(id: string): Dataset {
    const d = this.o.datasets.find((x) => x.id === id);
    if (!d) throw new PlaneError(422, `no dataset ${id}; datasets: ${this.o.datasets.map((x) => x.id).join(", ")}`);
    return d;
  }

  /** Creates and places a run; a run that can go nowhere is refused with every cluster's reasons (422). */
  async createRun(r: CreateRun): Promise<RunCreated> {
    const dataset = this.dataset(r.dataset);
    const request: RunRequest = { dataset, count: r.count ?? 1, ...(r.accelerator && { accelerator: r.accelerator }) };
    const placement = place(request, await this.fleet(), this.o.rules, this.now());
    if (!placement.placed) throw new PlaneError(422, placement.summary, placement);
    const id = `run-${randomUUID().slice(0, 8)}`;
    const at = this.now().getTime();
    const run = {
      id,
      recipe: r.recipe,
      dataset: dataset.id,
      market: dataset.market,
      state: "queued",
      steps: r.steps,
      cluster: null,
      node: null,
      accelerator: null,
      requested_accelerator: r.accelerator ?? null,
      accelerators: request.count,
      placement: JSON.stringify(placement),
    };
    await this.o.store.createRun(run, "created", at);
    const p = placement.placed;
    await this.o.store.transition(
      id,
      "queued",
      "placed",
      placement.summary,
      { cluster: p.cluster, node: p.node, accelerator: p.accelerator },
      at,
    );
    await this.start(run, p);
    return { id, placement };
  }

  /** pause, resume, stop, checkpoint: refused with 409 and the reason when the run's state does not allow it. */
  async command(runId: string, command: RunCommand): Promise<void> {
    const run = await this.o.store.getRun(runId);
    if (!run) throw new PlaneError(404, `no run ${runId}`);
    const refused = commandRefusal(runId, run.state as RunState, command);
    if (refused) throw new PlaneError(409, refused);
    if (command === "resume") {
      const last = await this.o.store.lastCheckpoint(runId);
      const placement = await this.placeAgain(run);
      if (!placement.placed) throw new PlaneError(409, `run ${runId} cannot resume now: ${placement.summary}`, placement);
      const p = placement.placed;
      const moved = await this.o.store.transition(runId, "paused", "placed", `resumed from step ${last?.step ?? 0}: ${placement.summary}`, {
        cluster: p.cluster,
        node: p.node,
        accelerator: p.accelerator,
        placement: JSON.stringify(placement),
      });
      if (!moved) throw new PlaneError(409, `run ${runId} changed state meanwhile`);
      await this.start(run, p);
      return;
    }
    if (command === "stop" && (run.state === "queued" || run.state === "paused" || run.state === "lost")) {
      // Nothing runs anywhere: stopped at once.
      await this.o.store.transition(runId, run.state, "stopped", "stopped by command");
      return;
    }
    this.send(run.cluster!, { type: command, runId });
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
    const region = (run.cluster ? await this.ownerOf(run.cluster) : undefined) ?? placed;
    if (region !== tokenRegion) throw new PlaneError(403, `run ${runId} does not run in ${tokenRegion}`);
    const agent = agentId ? this.agents.get(agentId) : undefined;
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
    if (e.state && e.state !== run.state) {
      const refused = transitionRefusal(run.state as RunState, e.state);
      if (refused) throw new PlaneError(409, `run ${runId}: ${refused}`);
      await this.o.store.transition(runId, run.state, e.state, e.reason ?? `reported by the agent`);
    }
  }
}
