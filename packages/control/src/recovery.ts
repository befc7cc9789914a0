import type { TrainingStore } from "@benih/store";
import type { AcceleratorIndex } from "./accelerator-index.ts";
import type { Agents } from "./agents.ts";
import type { CommandQueue } from "./command-queue.ts";
import { PlaneError } from "./errors.ts";

export type RunRow = NonNullable<Awaited<ReturnType<TrainingStore["getRun"]>>>;
export type Moved = { runId: string; from: string; to?: string };

export interface RecoveryOptions {
  store: TrainingStore;
  /** Takes or renews a named lease for `ttlMs`; false while another instance holds it. */
  lease?: (name: string, ttlMs: number) => Promise<boolean>;
  now: () => Date;
  agents: Agents;
  index: AcceleratorIndex;
  queue: CommandQueue;
  /** Catches up with the agents and runs that changed on any instance. */
  catchUp(): Promise<void>;
  /**
   * Places a run that holds no accelerators again and starts it there; the cluster it went to. Throws a
   * `PlaneError` when it can go nowhere now.
   */
  placeAgain(run: RunRow, why: (lastStep: number) => string): Promise<string>;
}

/**
 * Fault recovery: an agent silent for longer than the timeout is dropped from the fleet; its placed or running
 * runs are marked lost, then placed again on another eligible agent (the same rules apply), which resumes them
 * from their last checkpoint. A run with nowhere to go stays lost until an eligible agent registers or
 * accelerators are given back. One instance sweeps at a time (the lease).
 */
export class Recovery {
  private readonly startedAt: number;
  /** What the lost runs that could go nowhere last tried to be placed against. */
  private lastRetry: { fleet: number; released: number } | undefined;

  constructor(private readonly o: RecoveryOptions) {
    this.startedAt = o.now().getTime();
  }

  async sweep(timeoutMs: number): Promise<Moved[]> {
    const { store, agents, index } = this.o;
    if (this.o.lease && !(await this.o.lease("training-recovery-sweep", Math.max(timeoutMs, 5_000)))) return [];
    const now = this.o.now().getTime();
    await this.o.catchUp();
    const dead = new Map<string, { id: string; lastSeen: number }>();
    for (const a of await store.silentAgents(now - timeoutMs)) {
      const waiting = agents.known.ofCluster(a.cluster_id);
      if (waiting && this.o.queue.waiting(a.cluster_id)) {
        await agents.seen(waiting, now);
        continue;
      }
      if (await store.dropAgent(a.cluster_id, now - timeoutMs)) dead.set(a.cluster_id, { id: a.agent_id, lastSeen: Number(a.last_seen) });
    }
    await agents.known.sync();
    // After a restart (or an upgrade) a run may be on a cluster no agent has registered: it is as lost as one
    // whose agent went silent, once agents have had the timeout to register.
    const settled = now - this.startedAt > timeoutMs;
    const orphaned = settled ? [...index.clusters()].filter((c) => !agents.known.ofCluster(c) && !dead.has(c)) : [];
    const newlyLost: RunRow[] = [];
    for (const run of await store.runsIn(["placed", "running"], [...dead.keys(), ...orphaned])) {
      const lostAgent = dead.get(run.cluster!);
      const reason = lostAgent
        ? `agent ${lostAgent.id} (${run.cluster}) sent no heartbeat for ${Math.round((now - lostAgent.lastSeen) / 1000)} s`
        : `no agent for ${run.cluster} has registered since the control plane started`;
      if (await store.transition(run.id, run.state, "lost", reason)) newlyLost.push({ ...run, state: "lost" });
    }
    // Runs lost before, which went nowhere then, are tried again only when the fleet changed or accelerators
    // were given back since: a sweep with nothing new costs no placement.
    await this.o.catchUp();
    const basis = { fleet: await store.version("fleet"), released: index.released };
    const retry = !this.lastRetry || this.lastRetry.fleet !== basis.fleet || this.lastRetry.released !== basis.released;
    const lost = retry ? await store.runsIn(["lost"]) : newlyLost;
    const moved: Moved[] = [];
    for (const run of lost) moved.push(await this.recover(run));
    await index.sync();
    this.lastRetry = { fleet: basis.fleet, released: index.released };
    return moved;
  }

  /** Places a lost run again and starts it there from its last checkpoint, if it can go anywhere. */
  private async recover(run: RunRow): Promise<Moved> {
    const from = run.cluster ?? "";
    try {
      const to = await this.o.placeAgain(run, (step) => `resumed from step ${step} after its agent was lost`);
      return { runId: run.id, from, to };
    } catch (err) {
      if (err instanceof PlaneError) return { runId: run.id, from };
      throw err;
    }
  }
}
