import type { Cluster } from "@benih/contracts";
import { api } from "./api.ts";
import { usePoll } from "./poll.ts";
import type { Words } from "./text.ts";

/** Where runs can go now: each region with its clusters and their free accelerators (the fleet page has more). */
export function Regions({ w }: { w: Words }) {
  const fleet = usePoll(() => api.fleet(), 5000, "fleet");
  if (!fleet.data) return null;
  if (!fleet.data.clusters.length) return <p className="notice">{w.noAgents}</p>;
  const regions = new Map<string, Cluster[]>();
  for (const c of fleet.data.clusters) regions.set(c.region, [...(regions.get(c.region) ?? []), c]);
  return (
    <section className="regions" aria-label={w.regions}>
      {[...regions]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([region, clusters]) => (
          <div key={region} className="region-chip" data-testid="region" data-region={region}>
            <strong>{region}</strong>
            {clusters.map((c) => (
              <span key={c.id} className="meta">
                {c.id}: {c.nodes.map((n) => `${n.free}/${n.count} ${n.accelerator} ${w.free}`).join(", ")}
              </span>
            ))}
          </div>
        ))}
    </section>
  );
}
