import { randomUUID } from "node:crypto";
import { MemorySignals, type TrainingStore } from "@benih/store";
import { AcceleratorIndex } from "./accelerator-index.ts";
import type { RunRequest } from "./fleet.ts";
import { type KnownAgent, KnownAgents } from "./known-agents.ts";
import { byPreference, place } from "./placement.ts";
import type { PlacementRules } from "./rules.ts";
import {
  commandRefusal,
  signalChannels,
  type Signals,
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

export interface PlaneOptions {
  store: TrainingStore;
  rules: PlacementRules;
  datasets: Dataset[];
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

interface Waiter {
  /** Looks in the store again (a signal came). */
  wake(): void;
  /** Ends the poll with nothing. */
  end(): void;
}

type RunRow = NonNullable<Awaited<ReturnType<TrainingStore["getRun"]>>>;
type Moved = { runId: string; from: string; to?: string };

/**
 * A new run's id: the time first (base 36, so ids sort by age), then 40 random bits. Ids that grow keep the inserts
 * of the runs table and its history at the end of their indexes, not on a random page each.
 */
const runId = () => `run-${Date.now().toString(36)}${randomUUID().replaceAll("-", "").slice(0, 10)}`;

/** How long this instance keeps listening for a cluster's commands after its agent last polled here. */
const LISTEN_IDLE_MS = 120_000;

/**
 * The home team's side: runs are created and placed here, commands queued for the agent of the run's cluster and
 * delivered when it next asks. Runs, agents and queued commands live in the store, so several instances can share
 * it: an agent may poll any of them, and a restart of one forgets nothing.
 */
export class ControlPlane {
  private readonly known: KnownAgents;
  private readonly index: AcceleratorIndex;
  private readonly signals: Signals;
  /** Cluster id → the region it belongs to, as the store keeps it (a cache: ownership never changes). */
  private readonly owners = new Map<string, string>();
  /** The long polls waiting on this instance, by cluster. */
  private readonly waiters = new Map<string, Waiter>();
  /** The signal channels this instance listens on, by cluster, and when their agent last polled here. */
  private readonly listening = new Map<string, { ready: Promise<() => Promise<void>>; lastPoll: number }>();
  /** Signals received per cluster: a poll compares before and after it reads the queue. */
  private readonly signalled = new Map<string, number>();
  private readonly seenPending = new Set<string>();
  private seenFlush: Promise<void> | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  /** What the lost runs that could go nowhere last tried to be placed against. */
  private lastRetry: { fleet: number; released: number } | undefined;
  private readonly now: () => Date;
  private readonly startedAt: number;
  private readonly seenEveryMs: number;

  constructor(private readonly o: PlaneOptions) {
    this.now = o.now ?? (() => new Date());
    this.startedAt = this.now().getTime();
    this.seenEveryMs = (o.heartbeatTimeoutMs ?? 30_000) / 4;
    this.signals = o.signals ?? new MemorySignals();
    this.known = new KnownAgents(o.store, byPreference(o.rules));
    this.index = new AcceleratorIndex(o.store);
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
    // One row per cluster: two registrations of one cluster at once end with one agent.
    const id = await this.o.store.registerAgent(
      { clusterId: cluster.id, agentId: `agent-${randomUUID().slice(0, 8)}`, region: cluster.region, cluster: JSON.stringify(cluster) },
      this.now().getTime(),
    );
    await this.known.sync();
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

  /** The agent with this id, registered with any instance; undefined if none (or dropped). */
  private async lookUp(id: string): Promise<KnownAgent | undefined> {
    // Another instance's sweep may have dropped it: looked for in the store at most every second.
    await this.known.syncWithin(1000);
    const known = this.known.byAgentId(id);
    if (known) return known;
    await this.known.sync();
    return this.known.byAgentId(id);
  }

  private async agent(id: string, tokenRegion: string): Promise<KnownAgent> {
    const a = await this.lookUp(id);
    if (!a) throw new PlaneError(404, `no agent ${id}: register again`);
    if (a.cluster.region !== tokenRegion) throw new PlaneError(403, `agent ${id} is in ${a.cluster.region}, not ${tokenRegion}`);
    return a;
  }

  /**
   * Notes that an agent was heard from. The store is written only when what it has is older than a quarter of the
   * timeout, and writes that come together go as one statement: a thousand agents beating every second cost a
   * few writes a second, not a thousand.
   */
  private seen(a: KnownAgent, now = this.now().getTime()): Promise<void> {
    if (now - a.lastSeen < this.seenEveryMs) return Promise.resolve();
    a.lastSeen = now;
    this.seenPending.add(a.cluster.id);
    this.seenFlush ??= new Promise<void>((r) => setImmediate(r)).then(async () => {
      const ids = [...this.seenPending];
      this.seenPending.clear();
      this.seenFlush = undefined;
      await this.o.store.agentsSeen(ids, this.now().getTime());
    });
    return this.seenFlush;
  }

  /** Commands for an agent: those queued, or the next to arrive within `waitMs` (a long poll; also a heartbeat). */
  async nextCommands(agentId: string, tokenRegion: string, waitMs: number, signal?: AbortSignal): Promise<AgentCommand[]> {
    const a = await this.agent(agentId, tokenRegion);
    const clusterId = a.cluster.id;
    await this.seen(a);
    if (waitMs > 0) await this.listen(clusterId);
    const signalled = this.signalled.get(clusterId) ?? 0;
    const queued = await this.take(clusterId);
    if (queued.length || waitMs <= 0 || signal?.aborted) return queued;
    this.waiters.get(clusterId)?.end();
    const commands = await new Promise<AgentCommand[]>((resolve, reject) => {
      let settled = false;
      let looking = false;
      let again = false;
      let ending = false;
      const settle = () => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", end);
        if (this.waiters.get(clusterId) === waiter) this.waiters.delete(clusterId);
      };
      const finish = (cmds: AgentCommand[]) => {
        if (settled) return;
        settle();
        if (cmds.length && signal?.aborted) {
          // The agent hung up: what was taken for it waits for its next poll.
          void this.requeue(clusterId, cmds).then(() => resolve([]), reject);
          return;
        }
        resolve(cmds);
      };
      // A look under way when the poll ends finishes first: it may have taken commands, which go to this poll.
      const end = () => (looking ? (ending = true) : finish([]));
      const look = async (): Promise<void> => {
        if (looking) {
          again = true;
          return;
        }
        looking = true;
        try {
          let cmds: AgentCommand[] = [];
          do {
            again = false;
            cmds = await this.take(clusterId);
          } while (!cmds.length && again && !ending);
          looking = false;
          if (cmds.length || ending) finish(cmds);
        } catch (err) {
          looking = false;
          if (!settled) settle();
          reject(err);
        }
      };
      const waiter: Waiter = { wake: () => void look(), end };
      const timer = setTimeout(end, waitMs);
      signal?.addEventListener("abort", end, { once: true });
      this.waiters.set(clusterId, waiter);
      this.keepWaitersAlive();
      // A signal that came while the queue was read found no one waiting: look again.
      if ((this.signalled.get(clusterId) ?? 0) !== signalled) waiter.wake();
    });
    await this.seen(a).catch(() => {});
    return commands;
  }

  async heartbeat(agentId: string, tokenRegion: string): Promise<void> {
    await this.seen(await this.agent(agentId, tokenRegion));
  }

  /** The commands queued for a cluster, taken from the store (each goes to one poll only). */
  private async take(clusterId: string): Promise<AgentCommand[]> {
    return (await this.o.store.takeCommands(clusterId)).map((c) => JSON.parse(c) as AgentCommand);
  }

  /** Puts commands taken for a poll that ended without them back in the queue. */
  private async requeue(clusterId: string, cmds: AgentCommand[]): Promise<void> {
    for (const c of cmds) await this.o.store.queueCommand(clusterId, JSON.stringify(c), this.now().getTime());
  }

  /** Listens for the signal that a command was queued for a cluster, once per cluster while its agent polls here. */
  private async listen(clusterId: string): Promise<void> {
    const now = Date.now(); // real time, as the timer that lets idle channels go
    let l = this.listening.get(clusterId);
    if (!l) {
      const ready = this.signals.subscribe(signalChannels.agentCommands(clusterId), () => {
        this.signalled.set(clusterId, (this.signalled.get(clusterId) ?? 0) + 1);
        this.waiters.get(clusterId)?.wake();
      });
      l = { ready, lastPoll: now };
      this.listening.set(clusterId, l);
      ready.catch(() => this.listening.get(clusterId) === l && this.listening.delete(clusterId));
    }
    l.lastPoll = now;
    await l.ready;
  }

  /**
   * While agents wait in long polls here, their last-seen time is kept fresh (a waiting agent is alive: its
   * connection is open, and kill -9 closes it, which ends the wait), and channels of agents that stopped polling
   * here are let go.
   */
  private keepWaitersAlive(): void {
    if (this.keepAlive) return;
    this.keepAlive = setInterval(
      () => {
        const now = this.now().getTime();
        for (const clusterId of this.waiters.keys()) {
          const a = this.known.ofCluster(clusterId);
          if (a) void this.seen(a, now).catch(() => {});
        }
        for (const [clusterId, l] of this.listening)
          if (!this.waiters.has(clusterId) && Date.now() - l.lastPoll > LISTEN_IDLE_MS) {
            this.listening.delete(clusterId);
            this.signalled.delete(clusterId);
            void l.ready.then((stop) => stop()).catch(() => {});
          }
        if (!this.waiters.size && !this.listening.size) {
          clearInterval(this.keepAlive);
          this.keepAlive = undefined;
        }
      },
      Math.max(100, this.seenEveryMs),
    );
    this.keepAlive.unref();
  }

  /** Queues a command for the agent of a cluster, and wakes its long poll on whichever instance it waits. */
  private async send(clusterId: string, cmd: AgentCommand): Promise<void> {
    await this.o.store.queueCommand(clusterId, JSON.stringify(cmd), this.now().getTime());
    // Only a hint: an agent not woken finds the command when it next polls.
    await this.signals.publish(signalChannels.agentCommands(clusterId), "").catch(() => {});
  }

  /** Ends the long polls waiting here and stops listening; the store and signals stay open (their owner closes them). */
  async close(): Promise<void> {
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    for (const w of [...this.waiters.values()]) w.end();
    const channels = [...this.listening.values()];
    this.listening.clear();
    await Promise.all(channels.map((l) => l.ready.then((stop) => stop()).catch(() => {})));
  }

  /** Sends the run's next attempt to the cluster it was placed on, resuming from its last checkpoint if any. */
  private async start(
    run: { id: string; recipe: string; dataset: string; steps: number; accelerators: number },
    placed: { cluster: string; node: string; accelerator: string },
  ): Promise<void> {
    const attempt = (await this.o.store.events(run.id)).filter((e) => e.to_state === "placed").length;
    const last = await this.o.store.lastCheckpoint(run.id);
    await this.send(placed.cluster, this.startCommand(run, placed, attempt, last ? { step: last.step, location: last.location } : null));
  }

  private startCommand(
    run: { id: string; recipe: string; dataset: string; steps: number; accelerators: number },
    placed: { node: string; accelerator: string },
    attempt: number,
    resumeFrom: { step: number; location: string } | null,
  ): AgentCommand {
    const d = this.dataset(run.dataset);
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
    };
  }

  /** Catches up with the agents and runs that changed on any instance. */
  private async catchUp(): Promise<void> {
    await Promise.all([this.known.sync(), this.index.sync()]);
  }

  /** Where a run may go now (after `catchUp`): one look at each registered cluster. */
  private decide(request: RunRequest) {
    return place(request, this.known.clusters(), this.o.rules, this.now(), { ordered: true, used: this.index.used });
  }

  /** Where a run may go now, asking for what it asked for when created. */
  private async placeAgain(run: { dataset: string; requested_accelerator: string | null; accelerators: number }) {
    await this.catchUp();
    return this.decide({
      dataset: this.dataset(run.dataset),
      count: run.accelerators,
      ...(run.requested_accelerator && { accelerator: run.requested_accelerator }),
    });
  }

  /**
   * The registered clusters and what is free on them: what each agent offers, less the accelerators of the runs
   * placed or running on each node, so two runs are not placed on one node's last accelerators.
   */
  async fleet(): Promise<Cluster[]> {
    await this.catchUp();
    return this.known.clusters().map((cluster) => ({
      ...cluster,
      nodes: cluster.nodes.map((n) => ({ ...n, free: Math.max(0, n.free - this.index.used(cluster.id, n.id)) })),
    }));
  }

  /**
   * Fault recovery: an agent silent for longer than `timeoutMs` is dropped from the fleet; its placed or running
   * runs are marked lost, then placed again on another eligible agent (the same rules apply), which resumes them
   * from their last checkpoint. A run with nowhere to go stays lost until an eligible agent registers or
   * accelerators are given back. One instance sweeps at a time (the lease).
   */
  async sweep(timeoutMs: number): Promise<Moved[]> {
    if (this.o.lease && !(await this.o.lease("training-recovery-sweep", Math.max(timeoutMs, 5_000)))) return [];
    const now = this.now().getTime();
    await this.catchUp();
    const dead = new Map<string, { id: string; lastSeen: number }>();
    for (const a of await this.o.store.silentAgents(now - timeoutMs)) {
      const waiting = this.known.ofCluster(a.cluster_id);
      if (waiting && this.waiters.has(a.cluster_id)) {
        await this.seen(waiting, now);
        continue;
      }
      if (await this.o.store.dropAgent(a.cluster_id, now - timeoutMs))
        dead.set(a.cluster_id, { id: a.agent_id, lastSeen: Number(a.last_seen) });
    }
    await this.known.sync();
    // After a restart (or an upgrade) a run may be on a cluster no agent has registered: it is as lost as one
    // whose agent went silent, once agents have had the timeout to register.
    const settled = now - this.startedAt > timeoutMs;
    const orphaned = settled ? [...this.index.clusters()].filter((c) => !this.known.ofCluster(c) && !dead.has(c)) : [];
    const newlyLost: RunRow[] = [];
    for (const run of await this.o.store.runsIn(["placed", "running"], [...dead.keys(), ...orphaned])) {
      const lostAgent = dead.get(run.cluster!);
      const reason = lostAgent
        ? `agent ${lostAgent.id} (${run.cluster}) sent no heartbeat for ${Math.round((now - lostAgent.lastSeen) / 1000)} s`
        : `no agent for ${run.cluster} has registered since the control plane started`;
      if (await this.o.store.transition(run.id, run.state, "lost", reason)) newlyLost.push({ ...run, state: "lost" });
    }
    // Runs lost before, which went nowhere then, are tried again only when the fleet changed or accelerators
    // were given back since: a sweep with nothing new costs no placement.
    await this.catchUp();
    const basis = { fleet: await this.o.store.version("fleet"), released: this.index.released };
    const retry = !this.lastRetry || this.lastRetry.fleet !== basis.fleet || this.lastRetry.released !== basis.released;
    const lost = retry ? await this.o.store.runsIn(["lost"]) : newlyLost;
    const moved: Moved[] = [];
    for (const run of lost) moved.push(await this.recover(run));
    await this.index.sync();
    this.lastRetry = { fleet: basis.fleet, released: this.index.released };
    return moved;
  }

  /** Places a lost run again and starts it there from its last checkpoint, if it can go anywhere. */
  private async recover(run: RunRow): Promise<Moved> {
    const from = run.cluster ?? "";
    await this.index.sync();
    const placement = this.decide({
      dataset: this.dataset(run.dataset),
      count: run.accelerators,
      ...(run.requested_accelerator && { accelerator: run.requested_accelerator }),
    });
    const p = placement.placed;
    if (!p) return { runId: run.id, from };
    const last = await this.o.store.lastCheckpoint(run.id);
    const ok = await this.o.store.transition(
      run.id,
      "lost",
      "placed",
      `resumed from step ${last?.step ?? 0} after its agent was lost: ${placement.summary}`,
      { cluster: p.cluster, node: p.node, accelerator: p.accelerator, placement: JSON.stringify(placement) },
    );
    if (!ok) return { runId: run.id, from };
    await this.start(run, p);
    return { runId: run.id, from, to: p.cluster };
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
      requested_accelerator: r.accelerator ?? null,
      accelerators: request.count,
      placement: JSON.stringify(placement),
    };
    const command = JSON.stringify(this.startCommand(run, p, 1, null));
    await this.o.store.createPlacedRun(run, { created: "created", placed: placement.summary }, { clusterId: p.cluster, command }, at);
    await this.signals.publish(signalChannels.agentCommands(p.cluster), "").catch(() => {});
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
    await this.send(run.cluster!, { type: command, runId });
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
    const agent = agentId ? await this.lookUp(agentId) : undefined;
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
