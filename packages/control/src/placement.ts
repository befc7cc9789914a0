import type { Cluster, FleetNode, PlacementCandidate, PlacementDecision } from "@benih/contracts";
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

/**
 * Where a run may go and why: data residency first (a dataset stays in its region unless a transfer is
 * recorded), then the accelerator rules in force for the region, then capacity; among eligible clusters the
 * preferred region wins, then the node with the most free accelerators.
 */
export function place(run: RunRequest, clusters: readonly Cluster[], rules: PlacementRules, at = new Date()): PlacementDecision {
  const today = day(at);
  const rank = (region: string) => {
    const i = rules.preference.indexOf(region);
    return i < 0 ? rules.preference.length : i;
  };
  const candidates: PlacementCandidate[] = [];
  for (const c of [...clusters].sort((a, b) => rank(a.region) - rank(b.region) || a.id.localeCompare(b.id))) {
    const reasons: string[] = [];
    const residency = residencyRefusal(run, c.region, today);
    if (residency) reasons.push(residency);
    if (run.accelerator) {
      const refused = acceleratorRefusal(rules, c.region, run.accelerator, today);
      if (refused) reasons.push(refused);
    }
    let node: FleetNode | undefined;
    if (!reasons.length) {
      const lawful = c.nodes.filter(
        (n) => (!run.accelerator || n.accelerator === run.accelerator) && !acceleratorRefusal(rules, c.region, n.accelerator, today),
      );
      const fits = lawful.filter((n) => n.free >= run.count).sort((a, b) => b.free - a.free || a.id.localeCompare(b.id));
      node = fits[0];
      if (!node) {
        const what = run.accelerator ?? "allowed accelerator";
        reasons.push(
          lawful.length
            ? `no node has ${run.count} free ${what} (most free: ${Math.max(...lawful.map((n) => n.free))})`
            : `has no ${what} nodes${run.accelerator ? "" : " its region's rules allow"}`,
        );
      }
    }
    candidates.push({ cluster: c.id, region: c.region, reasons, ...(node && { node: node.id }) });
  }
  const chosen = candidates.find((c) => !c.reasons.length);
  if (!chosen) {
    const why = candidates.map((c) => `refused ${c.cluster}: ${c.reasons.join("; ")}`).join(". ");
    return { candidates, summary: candidates.length ? why : "no clusters are registered" };
  }
  const node = clusters.find((c) => c.id === chosen.cluster)!.nodes.find((n) => n.id === chosen.node)!;
  return {
    placed: { cluster: chosen.cluster, region: chosen.region, node: node.id, accelerator: node.accelerator },
    candidates,
    summary: `placed on ${chosen.cluster}/${node.id} (${run.count} × ${node.accelerator}) in ${chosen.region}`,
  };
}
