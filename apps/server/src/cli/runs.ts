import type { FleetView, PlacementGroup, PromotionList, PromotionView, RunCreated, RunDetail, RunList } from "@benih/contracts";
import { authHeaders, callServer, errorMessage, serverURL, UsageError } from "./args.ts";
import type { Input, Options, Values } from "./command.ts";
import type { runsCreate, runsPromote } from "./commands.ts";

async function api(url: string, key: string | undefined, method: "GET" | "POST", path: string, body?: unknown) {
  const res = await callServer(`${url}${path}`, {
    method,
    headers: { ...authHeaders(key), ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (res.ok) return res.status === 204 ? undefined : res.json();
  const text = await res.text();
  let message = `HTTP ${res.status}`;
  let refused: PlacementGroup[] = [];
  let more = 0;
  try {
    const e = JSON.parse(text) as { error: { message: string; details?: { refused?: PlacementGroup[]; moreRefused?: number } } };
    message = e.error.message;
    refused = e.error.details?.refused ?? [];
    more = e.error.details?.moreRefused ?? 0;
  } catch {
    message = await errorMessage(new Response(text, { status: res.status }));
  }
  // A refused placement lists each reason and the clusters refused for it, one per line, rather than one long sentence.
  throw new Error(
    refused.length
      ? `no cluster may take this run:\n${refused.map((g) => `  ${clustersOf(g)}: ${g.reasons.join("; ")}`).join("\n")}${more ? `\n  ${more} more clusters, for other reasons` : ""}`
      : message,
  );
}

/** "bj-1", or "bj-1, bj-2 and 40 more" for a group larger than the ids it names. */
const clustersOf = (g: PlacementGroup) =>
  g.clusters.join(", ") + (g.count > g.clusters.length ? ` and ${g.count - g.clusters.length} more` : "");

type Sub = "create" | "list" | "show" | "pause" | "resume" | "stop" | "checkpoint" | "fleet";

/**
 * `benih runs …` and `benih fleet`: the training control plane from the command line (admin key needed). Each
 * subcommand declares the options it takes, all of them among `runs create`'s.
 */
export async function runsCommand(sub: Sub, input: Input<Options>): Promise<void> {
  const { positionals, env } = input;
  const values = input.values as Values<typeof runsCreate.options>;
  const url = serverURL(values.url, env);
  const key = values.key ?? env.BENIH_API_KEY;
  const out = (v: unknown, text: string): void => void process.stdout.write(values.json ? `${JSON.stringify(v, null, 2)}\n` : text);
  const id = () => {
    if (positionals.length !== 1) throw new UsageError("name one run by its id (`benih runs list` shows them)");
    return positionals[0]!;
  };
  switch (sub) {
    case "create": {
      const steps = Number(values.steps);
      if (!values.dataset) throw new UsageError("--dataset is required");
      if (!Number.isInteger(steps) || steps < 1) throw new UsageError("--steps takes a positive integer");
      const count = values.count === undefined ? undefined : Number(values.count);
      const r = (await api(url, key, "POST", "/control/v1/runs", {
        recipe: values.recipe,
        dataset: values.dataset,
        steps,
        ...(values.accelerator && { accelerator: values.accelerator }),
        ...(count && { count }),
      })) as RunCreated;
      const refused = r.placement.refused.map((g) => `  not ${clustersOf(g)}: ${g.reasons.join("; ")}\n`).join("");
      return out(r, `${r.id}: ${r.placement.summary}\n${refused}`);
    }
    case "list": {
      const { runs } = (await api(url, key, "GET", "/control/v1/runs")) as RunList;
      if (!runs.length) return out({ runs }, "no runs; create one with `benih runs create --dataset ID --steps N`\n");
      return out(
        { runs },
        runs.map((r) => `${r.id}  ${r.state.padEnd(9)}  step ${r.step}/${r.steps}  ${r.dataset} on ${r.cluster ?? "-"}\n`).join(""),
      );
    }
    case "show": {
      const r = (await api(url, key, "GET", `/control/v1/runs/${encodeURIComponent(id())}`)) as RunDetail;
      const lines = [
        `${r.run.id}: ${r.run.state}, step ${r.run.step}/${r.run.steps}, recipe ${r.run.recipe} on dataset ${r.run.dataset}`,
        `placed:     ${r.run.cluster ? `${r.run.cluster}/${r.run.node} (${r.run.accelerator})` : "-"}`,
        `checkpoint: ${r.lastCheckpoint ? `step ${r.lastCheckpoint.step} at ${r.lastCheckpoint.location}` : "none yet"}`,
        "history:",
        ...r.events.map((e) => `  ${new Date(e.at).toISOString()}  ${e.fromState ?? "-"} → ${e.toState}: ${e.reason}`),
      ];
      return out(r, `${lines.join("\n")}\n`);
    }
    case "pause":
    case "resume":
    case "stop":
    case "checkpoint": {
      const runId = id();
      await api(url, key, "POST", `/control/v1/runs/${encodeURIComponent(runId)}/commands`, { command: sub });
      return out({ accepted: true }, `${sub} sent to ${runId}\n`);
    }
    case "fleet": {
      const { clusters } = (await api(url, key, "GET", "/control/v1/fleet")) as FleetView;
      if (!clusters.length) return out({ clusters }, "no agents are connected\n");
      const byRegion = new Map<string, typeof clusters>();
      for (const c of clusters) byRegion.set(c.region, [...(byRegion.get(c.region) ?? []), c]);
      const lines = [...byRegion].flatMap(([region, cs]) => [
        `${region}:`,
        ...cs.map(
          (c) => `  ${c.id} (${c.operator}): ${c.nodes.map((n) => `${n.id} ${n.free}/${n.count} × ${n.accelerator} free`).join(", ")}`,
        ),
      ]);
      return out({ clusters }, `${lines.join("\n")}\n`);
    }
  }
}

const promotionLine = (p: PromotionView) =>
  `${new Date(p.at).toISOString()}  ${p.market}/${p.model}  ${p.action === "promote" ? `promoted run ${p.runId}` : `rolled back to ${p.runId ? `run ${p.runId}` : "the model it started with"}`}  by ${p.by}`;

/** `benih runs promote`, `rollback` and `promotions`: what markets serve from finished runs (admin key needed). */
export async function promotionCommand(sub: "promote" | "rollback" | "list", input: Input<Options>): Promise<void> {
  const { positionals, env } = input;
  const values = input.values as Values<typeof runsPromote.options>;
  const url = serverURL(values.url, env);
  const key = values.key ?? env.BENIH_API_KEY;
  const out = (v: unknown, text: string): void => void process.stdout.write(values.json ? `${JSON.stringify(v, null, 2)}\n` : text);
  const target = { market: values.market, ...(values.model && { model: values.model }) };
  if (sub === "list") {
    const r = (await api(url, key, "GET", "/control/v1/promotions")) as PromotionList;
    if (!r.promotions.length) return out(r, "no promotions yet; promote a succeeded run with `benih runs promote ID --market M`\n");
    return out(r, `${r.promotions.map(promotionLine).join("\n")}\n`);
  }
  if (sub === "promote") {
    if (positionals.length !== 1) throw new UsageError("name one run by its id (`benih runs list` shows them)");
    const p = (await api(url, key, "POST", `/control/v1/runs/${encodeURIComponent(positionals[0]!)}/promote`, target)) as PromotionView;
    return out(p, `market ${p.market} serves run ${p.runId}'s model as ${p.model} now (${p.id})\n`);
  }
  const p = (await api(url, key, "POST", "/control/v1/promotions/rollback", target)) as PromotionView;
  return out(
    p,
    `market ${p.market} serves ${p.runId ? `run ${p.runId}'s model` : "the model it started with"} as ${p.model} again (${p.id})\n`,
  );
}
