import type { Cluster } from "@benih/contracts";
import { api, type AdminError } from "./api.ts";
import { usePoll } from "./poll.ts";
import { Problem } from "./Problem.tsx";
import type { Words } from "./text.ts";

/** The registered clusters by region: their nodes, accelerator models, and how many are in use. */
export function FleetPage({ w, onAuth }: { w: Words; onAuth: (e: AdminError) => void }) {
  const fleet = usePoll(() => api.fleet(), 2000, "fleet");
  if (fleet.error) return <Problem error={fleet.error} w={w} onAuth={onAuth} />;
  if (!fleet.data) return null;
  const regions = new Map<string, Cluster[]>();
  for (const c of fleet.data.clusters) regions.set(c.region, [...(regions.get(c.region) ?? []), c]);
  if (!regions.size) return <p className="notice">{w.noAgents}</p>;
  return (
    <div className="fleet" data-testid="fleet">
      {[...regions]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([region, clusters]) => (
          <section key={region} data-testid="region" data-region={region}>
            <h2>{region}</h2>
            {clusters.map((c) => (
              <div key={c.id} className="cluster">
                <h3>
                  {c.id}{" "}
                  <span className="meta">
                    · {w.operator}: {c.operator}
                  </span>
                </h3>
                <table>
                  <tbody>
                    {c.nodes.map((n) => (
                      <tr key={n.id}>
                        <td>{n.id}</td>
                        <td>
                          <strong>{n.accelerator}</strong>
                        </td>
                        <td className="use">
                          <div className="progress">
                            <div style={{ width: `${((n.count - n.free) / n.count) * 100}%` }} />
                            <span>
                              {w.use}: {n.count - n.free} / {n.count}
                            </span>
                          </div>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          </section>
        ))}
    </div>
  );
}
