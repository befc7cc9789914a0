import {
  placementGroupLimit,
  placementSampleSize,
  type Cluster,
  type FleetNode,
  type PlacementDecision,
  type PlacementGroup,
} from "@benih/contracts";
import type { RunRequest } from "./fleet.ts";
import { acceleratorRefusal, type PlacementRules } from "./rules.ts";

const day = (at: Date) => at.toISOString().slice(0, 10);

/** Why the run's data may not go to a region, or undefined when it may. */
function residencyRefusal(run: RunRequest, region: string, today: string): string | undefined {
  const d = run.dataset;
  if (d.region === region) return undefined;
  const transfer = d.transfers.find((t) => t.to === region && t.from <= today);
  if (transfer) return undefined;
  const flags = d.flags.length ? ` (${d.flags.join(", ")})` : "";
  return `dataset ${d.id}${flags} must stay in ${d.region}: no transfer mechanism to ${region} is recorded`;
}

/** Clusters in order of preference: the preferred regions first, then by id. */
export function byPreference(rules: PlacementRules): (a: Cluster, b: Cluster) => number {
  const rank = (region: string) => {
    const i = rules.preference.indexOf(region);
    return i < 0 ? rules.preference.length : i;
  };
  return (a, b) => rank(a.region) - rank(b.region) || a.id.localeCompare(b.id);
}

export interface PlaceOptions {
  /** The clusters are already in order of preference (`byPreference`): not sorted again. */
  ordered?: boolean;
  /** Accelerators of a node held by runs placed or running there, taken off what its agent says is free. */
  used?: (cluster: string, node: string) => number;
}

/** Reasons a refusal's summary line spells out. */
const SUMMARY_GROUPS = 5;

/** Counts clusters into groups by their reasons, naming the first few of each. */
export class PlacementGroups {
  private readonly groups = new Map<string, PlacementGroup>();
  readonly eligible: PlacementGroup = { reasons: [], count: 0, clusters: [] };
  considered = 0;

  add(cluster: string, reasons: readonly string[]): void {
    this.considered++;
    let g = this.eligible;
    if (reasons.length) {
      const key = reasons.join("\n");
      g = this.groups.get(key) ?? { reasons: [...reasons], count: 0, clusters: [] };
      if (!g.count) this.groups.set(key, g);
    }
    g.count++;
    if (g.clusters.length < placementSampleSize) g.clusters.push(cluster);
  }

  /** The decision, with `summary` built from the groups when nothing was placed. */
  decision(placed: PlacementDecision["placed"], summary?: string): PlacementDecision {
    const all = [...this.groups.values()];
    const refused = all.slice(0, placementGroupLimit);
    const moreRefused = all.slice(placementGroupLimit).reduce((n, g) => n + g.count, 0);
    return {
      ...(placed && { placed }),
      considered: this.considered,
      eligible: this.eligible,
      refused,
      moreRefused,
      summary: summary ?? this.refusal(all),
    };
  }

  /** The first few reasons in one line; the rest counted. */
  private refusal(groups: PlacementGroup[]): string {
    if (!this.considered) return "no clusters are registered";
    const shown = groups.slice(0, SUMMARY_GROUPS);
    const why = shown.map((g) => `refused ${groupLabel(g)}: ${g.reasons.join("; ")}`).join(". ");
    const more = groups.slice(SUMMARY_GROUPS).reduce((n, g) => n + g.count, 0);
    return more ? `${why}. ${more} more clusters refused for other reasons` : why;
  }
}

/** "bj-1", or "bj-1, bj-2, … and 40 more" for a group larger than the ids it names. */
export const groupLabel = (g: PlacementGroup): string =>
  g.clusters.join(", ") + (g.count > g.clusters.length ? ` and ${g.count - g.clusters.length} more` : "");

/**
 * Where a run may go and why: data residency first (a dataset stays in its region unless a transfer is
 * recorded), then the accelerator rules in force for the region, then capacity; among eligible clusters the
 * preferred region wins, then the node with the most free accelerators. Each cluster costs a look at its nodes:
 * what depends only on the region (residency, rules) is worked out once per region.
 */
export function place(
  run: RunRequest,
  clusters: readonly Cluster[],
  rules: PlacementRules,
  at = new Date(),
  o: PlaceOptions = {},
): PlacementDecision {
  const today = day(at);
  const used = o.used ?? (() => 0);
  const ordered = o.ordered ? clusters : [...clusters].sort(byPreference(rules));
  const regionReasons = new Map<string, string[]>();
  const refusals = new Map<string, string | undefined>();
  const refusal = (region: string, accelerator: string) => {
    const key = `${region}\u0000${accelerator}`;
    if (!refusals.has(key)) refusals.set(key, acceleratorRefusal(rules, region, accelerator, today));
    return refusals.get(key);
  };
  const groups = new PlacementGroups();
  let chosen: { cluster: Cluster; node: FleetNode } | undefined;
  for (const c of ordered) {
    let reasons = regionReasons.get(c.region);
    if (!reasons) {
      reasons = [];
      const residency = residencyRefusal(run, c.region, today);
      if (residency) reasons.push(residency);
      const refused = run.accelerator && refusal(c.region, run.accelerator);
      if (refused) reasons.push(refused);
      regionReasons.set(c.region, reasons);
    }
    if (reasons.length) {
      groups.add(c.id, reasons);
      continue;
    }
    let node: FleetNode | undefined;
    let free = 0;
    let mostFree = -1;
    for (const n of c.nodes) {
      if ((run.accelerator && n.accelerator !== run.accelerator) || refusal(c.region, n.accelerator)) continue;
      const f = Math.max(0, n.free - used(c.id, n.id));
      mostFree = Math.max(mostFree, f);
      if (f >= run.count && (!node || f > free || (f === free && n.id.localeCompare(node.id) < 0))) {
        node = n;
        free = f;
      }
    }
    if (!node) {
      const what = run.accelerator ?? "allowed accelerator";
      groups.add(c.id, [
        mostFree >= 0
          ? `no node has ${run.count} free ${what} (most free: ${mostFree})`
          : `has no ${what} nodes${run.accelerator ? "" : " its region's rules allow"}`,
      ]);
      continue;
    }
    groups.add(c.id, []);
    chosen ??= { cluster: c, node };
  }
  if (!chosen) return groups.decision(undefined);
  const { cluster: c, node } = chosen;
  return groups.decision(
    { cluster: c.id, region: c.region, node: node.id, accelerator: node.accelerator },
    `placed on ${c.id}/${node.id} (${run.count} × ${node.accelerator}) in ${c.region}`,
  );
}
