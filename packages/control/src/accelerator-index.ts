import type { TrainingStore } from "@benih/store";
import { followChanges } from "./follow-changes.ts";

type Holding = Awaited<ReturnType<TrainingStore["runsChangedSince"]>>[number];

const holds = (state: string) => state === "placed" || state === "running";
const at = (cluster: string, node: string) => `${cluster}\u0000${node}`;

/**
 * The accelerators that placed and running runs hold, per node: read whole once, then kept up to date from the
 * runs that changed state since (the store numbers those changes), so placing a run does not read every run.
 */
export class AcceleratorIndex {
  private readonly held = new Map<string, { cluster: string; node: string; accelerators: number; version: number }>();
  private readonly usedAt = new Map<string, number>();
  /** How many times accelerators were given back: a run that could go nowhere may fit now. */
  released = 0;

  constructor(private readonly store: TrainingStore) {}

  readonly sync = followChanges<Holding>({
    all: () => this.store.holdings().then(({ version, runs }) => ({ version, rows: runs })),
    changedSince: (version) => this.store.runsChangedSince(version),
    apply: (r) => this.apply(r),
  });

  private apply(r: Holding): void {
    const old = this.held.get(r.id);
    if (old && old.version > Number(r.version)) return;
    if (old) {
      this.held.delete(r.id);
      const key = at(old.cluster, old.node);
      const left = (this.usedAt.get(key) ?? 0) - old.accelerators;
      if (left > 0) this.usedAt.set(key, left);
      else this.usedAt.delete(key);
      if (!holds(r.state) || r.cluster !== old.cluster || r.node !== old.node) this.released++;
    }
    if (!holds(r.state) || !r.cluster || !r.node) return;
    this.held.set(r.id, { cluster: r.cluster, node: r.node, accelerators: r.accelerators, version: Number(r.version) });
    const key = at(r.cluster, r.node);
    this.usedAt.set(key, (this.usedAt.get(key) ?? 0) + r.accelerators);
  }

  /** Accelerators of a node held by runs placed or running there. */
  readonly used = (cluster: string, node: string): number => this.usedAt.get(at(cluster, node)) ?? 0;

  /** The clusters that runs placed or running are on. */
  clusters(): Set<string> {
    return new Set([...this.held.values()].map((h) => h.cluster));
  }
}
