import { randomUUID } from "node:crypto";
import type { Cluster } from "@benih/contracts";
import type { TrainingStore } from "@benih/store";
import { PlaneError } from "./errors.ts";
import { type KnownAgent, KnownAgents } from "./known-agents.ts";

export interface AgentsOptions {
  store: TrainingStore;
  /** The order clusters are preferred in (`byPreference`). */
  order: (a: Cluster, b: Cluster) => number;
  now: () => Date;
  /** An agent's last-seen time is written to the store at most this often. */
  seenEveryMs: number;
}

/** The regional agents: who registered which cluster, for which region, and when each was last heard from. */
export class Agents {
  readonly known: KnownAgents;
  /** Cluster id → the region it belongs to, as the store keeps it (a cache: ownership never changes). */
  private readonly owners = new Map<string, string>();
  private readonly seenPending = new Set<string>();
  private seenFlush: Promise<void> | undefined;

  constructor(private readonly o: AgentsOptions) {
    this.known = new KnownAgents(o.store, o.order);
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
      this.o.now().getTime(),
    );
    await this.known.sync();
    return id;
  }

  /** The region a cluster belongs to; with `claimFor`, claimed for that region if no region holds it yet. */
  async ownerOf(clusterId: string, claimFor?: string): Promise<string | undefined> {
    let owner = this.owners.get(clusterId);
    if (owner) return owner;
    owner = claimFor
      ? await this.o.store.claimCluster(clusterId, claimFor, this.o.now().getTime())
      : await this.o.store.clusterRegion(clusterId);
    if (owner) this.owners.set(clusterId, owner);
    return owner;
  }

  /** The agent with this id, registered with any instance; undefined if none (or dropped). */
  async lookUp(id: string): Promise<KnownAgent | undefined> {
    // Another instance's sweep may have dropped it: looked for in the store at most every second.
    await this.known.syncWithin(1000);
    const known = this.known.byAgentId(id);
    if (known) return known;
    await this.known.sync();
    return this.known.byAgentId(id);
  }

  /** The agent with this id, if the token's region may speak for it: 404 or 403 otherwise. */
  async agent(id: string, tokenRegion: string): Promise<KnownAgent> {
    const a = await this.lookUp(id);
    if (!a) throw new PlaneError(404, `no agent ${id}: register again`);
    if (a.cluster.region !== tokenRegion) throw new PlaneError(403, `agent ${id} is in ${a.cluster.region}, not ${tokenRegion}`);
    return a;
  }

  /**
   * Notes that an agent was heard from. The store is written only when what it has is older than
   * `seenEveryMs`, and writes that come together go as one statement: a thousand agents beating every second
   * cost a few writes a second, not a thousand.
   */
  seen(a: KnownAgent, now = this.o.now().getTime()): Promise<void> {
    if (now - a.lastSeen < this.o.seenEveryMs) return Promise.resolve();
    a.lastSeen = now;
    this.seenPending.add(a.cluster.id);
    this.seenFlush ??= new Promise<void>((r) => setImmediate(r)).then(async () => {
      const ids = [...this.seenPending];
      this.seenPending.clear();
      this.seenFlush = undefined;
      await this.o.store.agentsSeen(ids, this.o.now().getTime());
    });
    return this.seenFlush;
  }
}
