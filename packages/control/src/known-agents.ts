import type { Cluster } from "@benih/contracts";
import type { TrainingStore } from "@benih/store";
import { followChanges } from "./follow-changes.ts";

type AgentRow = Awaited<ReturnType<TrainingStore["agentsChangedSince"]>>[number];

export interface KnownAgent {
  id: string;
  cluster: Cluster;
  /** When it was last heard from, as far as this instance knows (the store may know later). */
  lastSeen: number;
}

/**
 * The agents registered in the store, as this instance last read them: read whole once, then only those
 * registered or dropped since (the store numbers those changes), so a look costs one small query, whichever
 * instance the agents registered with.
 */
export class KnownAgents {
  private readonly byCluster = new Map<string, KnownAgent>();
  private readonly byId = new Map<string, KnownAgent>();
  private inOrder: Cluster[] | undefined;
  private syncedAt = 0;

  constructor(
    private readonly store: TrainingStore,
    private readonly order: (a: Cluster, b: Cluster) => number,
  ) {}

  /** Catches up with the store. */
  readonly sync = followChanges<AgentRow>({
    all: async () => {
      this.syncedAt = Date.now();
      const { version, agents } = await this.store.fleet();
      return { version, rows: agents };
    },
    changedSince: (version) => {
      this.syncedAt = Date.now();
      return this.store.agentsChangedSince(version);
    },
    apply: (row) => this.apply(row),
  });

  /** Catches up unless it did within `maxAgeMs`: what a heartbeat asks, so an agent dropped elsewhere learns soon. */
  async syncWithin(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.syncedAt > maxAgeMs) await this.sync();
  }

  private apply(row: AgentRow): void {
    const old = this.byCluster.get(row.cluster_id);
    if (old) {
      this.byCluster.delete(row.cluster_id);
      this.byId.delete(old.id);
    }
    this.inOrder = undefined;
    if (row.dropped) return;
    const a: KnownAgent = {
      id: row.agent_id,
      cluster: JSON.parse(row.cluster) as Cluster,
      lastSeen: Math.max(Number(row.last_seen), old?.id === row.agent_id ? old.lastSeen : 0),
    };
    this.byCluster.set(row.cluster_id, a);
    this.byId.set(a.id, a);
  }

  byAgentId(id: string): KnownAgent | undefined {
    return this.byId.get(id);
  }

  ofCluster(clusterId: string): KnownAgent | undefined {
    return this.byCluster.get(clusterId);
  }

  /** The live clusters in order of preference (sorted again only after the fleet changed). */
  clusters(): readonly Cluster[] {
    this.inOrder ??= [...this.byCluster.values()].map((a) => a.cluster).sort(this.order);
    return this.inOrder;
  }
}
