// bench:control — the training control plane's two loads, on loopback HTTP with the SQLite store:
//  1. metric points ingested per second (batches of 500, as agents send them), against the same rows written
//     straight to the store in the same run (the baseline: what HTTP, validation and routing cost on top). Target:
//     ≥ 50,000 points/s.
//  2. 1,000 simulated agents long-polling and heartbeating every second; commands sent to random agents, and the
//     latency until each agent has its command (p50, p99). Target: the whole part in under a minute.
//  3. Fleet scale: 1,000 and 10,000 registered clusters with 10,000 active runs: run creation p50/p99 (against
//     placement alone, in the same run) and one recovery sweep that finds 1% of the agents silent (against a sweep
//     with nothing to do). Clusters register straight through the plane (no HTTP: 10,000 registrations over HTTP
//     measure Fastify, not placement). Targets: creation p99 ≤ 5 ms at 1,000 clusters, ≤ 50 ms at 10,000.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import Fastify from "fastify";
import { ControlPlane, place, registerControlRoutes, type PlacementRules } from "@benih/control";
import { enforceAccess, openScope } from "@benih/gateway";
import { Store } from "@benih/store";

const dir = mkdtempSync(join(tmpdir(), "benih-bench-control-"));
const store = await Store.open({ dialect: "sqlite", target: join(dir, "control.db") });
const AGENTS = Number(process.env.BENCH_AGENTS ?? 1000);
const tokens = new Map(Array.from({ length: AGENTS }, (_, i) => [`tok-${i}`, `region-${i}`]));
const datasets = Array.from({ length: AGENTS }, (_, i) => ({
  id: `ds-${i}`,
  market: "m",
  region: `region-${i}`,
  flags: [],
  transfers: [],
}));
const plane = new ControlPlane({ store: store.training, rules: { accelerators: [], preference: [] }, datasets });
const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
// An open server's access rules: anyone may manage runs, agents need their region's token.
enforceAccess(app, {
  auth: { required: false, authenticate: async () => undefined },
  resolveScope: () => openScope(),
  agentRegion: (t) => t && tokens.get(t),
});
registerControlRoutes(app, { plane, store: store.training });
const base = await app.listen({ port: 0, host: "127.0.0.1" });
// Each real agent holds its own connection for its long poll: so does each simulated one. Everything else
// (heartbeats, commands, ingest) shares a second pool.
const pool = new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
const pollPool = new Agent({ connections: AGENTS + 16, pipelining: 1, keepAliveTimeout: 60_000 });
const call = async (method: "GET" | "POST", path: string, token: string, body?: unknown) => {
  const res = await request(base + path, {
    method,
    dispatcher: path.endsWith("/commands") || path.includes("/commands?") ? pollPool : pool,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

// --- 1. ingest ---------------------------------------------------------------------------------------------------
const agentIds: string[] = [];
for (let i = 0; i < AGENTS; i++) {
  const r = await call("POST", "/control/v1/agents", `tok-${i}`, {
    cluster: { id: `c-${i}`, region: `region-${i}`, operator: "bench", nodes: [{ id: "n", accelerator: "CPU", count: 2, free: 2 }] },
  });
  agentIds.push(r.json.agentId);
}
const run = (await call("POST", "/control/v1/runs", "admin", { recipe: "tiny", dataset: "ds-0", steps: 1_000_000 })).json.id as string;
// Two runs on ds-0: the node offers two, since placement counts what running runs use.
const baselineRun = (await call("POST", "/control/v1/runs", "admin", { recipe: "tiny", dataset: "ds-0", steps: 1_000_000 })).json
  .id as string;
const POINTS = Number(process.env.BENCH_POINTS ?? 200_000);
const BATCH = 500;
const point = (step: number) => ({
  step,
  at: 1_700_000_000_000 + step,
  loss: 3 / Math.sqrt(step),
  lr: 1e-3,
  gradNorm: 0.9,
  tokensPerSecond: 11_000,
});

let t0 = performance.now();
for (let s = 1; s <= POINTS; s += BATCH) {
  await store.training.appendMetrics(
    baselineRun,
    Array.from({ length: BATCH }, (_, i) => point(s + i)).map((p) => ({
      step: p.step,
      at: p.at,
      loss: p.loss,
      lr: p.lr,
      grad_norm: p.gradNorm,
      tokens_per_s: p.tokensPerSecond,
    })),
  );
}
const direct = POINTS / ((performance.now() - t0) / 1000);
t0 = performance.now();
for (let s = 1; s <= POINTS; s += BATCH) {
  const r = await call("POST", `/control/v1/runs/${run}/metrics`, "tok-0", {
    points: Array.from({ length: BATCH }, (_, i) => point(s + i)),
  });
  if (r.status !== 204) throw new Error(`ingest failed: ${r.status} ${JSON.stringify(r.json)}`);
}
const viaHttp = POINTS / ((performance.now() - t0) / 1000);

// --- 2. 1,000 agents ---------------------------------------------------------------------------------------------
// Each agent keeps a long poll open (as the real agent does) and heartbeats every second; the bench sends
// `checkpoint` commands to random running runs and measures until the owning agent's poll returns it.
const agentsStarted = performance.now();
const runs: string[] = [];
for (let i = 0; i < AGENTS; i++) {
  const id = (await call("POST", "/control/v1/runs", "admin", { recipe: "tiny", dataset: `ds-${i}`, steps: 100 })).json.id as string;
  runs.push(id);
}
let stop = false;
const sentAt = new Map<string, number>();
const latencies: number[] = [];
const loops = agentIds.map(async (id, i) => {
  let first = true;
  while (!stop) {
    const r = await call("GET", `/control/v1/agents/${id}/commands?waitMs=2000`, `tok-${i}`);
    for (const c of r.json.commands as Array<{ type: string; runId: string }>) {
      if (c.type === "start" && first) {
        first = false;
        await call("POST", `/control/v1/runs/${c.runId}/reports`, `tok-${i}`, { state: "running" });
      }
      const t = sentAt.get(c.runId);
      if (c.type === "checkpoint" && t !== undefined) {
        latencies.push(performance.now() - t);
        sentAt.delete(c.runId);
      }
    }
  }
});
const beats = setInterval(() => agentIds.forEach((id, i) => void call("POST", `/control/v1/agents/${id}/heartbeat`, `tok-${i}`)), 1000);
await new Promise((r) => setTimeout(r, 3000)); // every agent has its run started
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 500);
for (let k = 0; k < COMMANDS; k++) {
  const runId = runs[Math.floor(Math.random() * runs.length)]!;
  if (sentAt.has(runId)) continue;
  sentAt.set(runId, performance.now());
  const r = await call("POST", `/control/v1/runs/${runId}/commands`, "admin", { command: "checkpoint" });
  if (r.status !== 202) sentAt.delete(runId);
  await new Promise((r) => setTimeout(r, 4));
}
await new Promise((r) => setTimeout(r, 1500));
stop = true;
clearInterval(beats);
await Promise.all(loops);
const agentsWall = (performance.now() - agentsStarted) / 1000;
await app.close();
await pool.close();
await pollPool.close();
await store.close();

// --- 3. fleet scale ----------------------------------------------------------------------------------------------
const REGIONS = 20;
const scaleRules: PlacementRules = {
  accelerators: [{ regions: ["r0"], allow: ["H100", "H20"], effective: "2023-10-17", source: "bench rule" }],
  preference: Array.from({ length: REGIONS }, (_, i) => `r${i}`),
};
const scaleDatasets = Array.from({ length: REGIONS }, (_, i) => ({ id: `d${i}`, market: "m", region: `r${i}`, flags: [], transfers: [] }));
const ACTIVE = Number(process.env.BENCH_ACTIVE_RUNS ?? 10_000);
async function scale(clusters: number) {
  const scaleStore = await Store.open({ dialect: "sqlite", target: join(dir, `scale-${clusters}.db`) });
  const timeoutMs = 30_000;
  let clock = Date.parse("2026-12-01T00:00:00Z");
  const plane = new ControlPlane({
    store: scaleStore.training,
    rules: scaleRules,
    datasets: scaleDatasets,
    heartbeatTimeoutMs: timeoutMs,
    now: () => new Date(clock),
  });
  const ids: string[] = [];
  let t = performance.now();
  for (let i = 0; i < clusters; i++) {
    const region = `r${i % REGIONS}`;
    ids.push(
      await plane.register(region, {
        id: `c${i}`,
        region,
        operator: "bench",
        nodes: [
          { id: "a", accelerator: "H100", count: 8, free: 8 },
          { id: "b", accelerator: "H100", count: 8, free: 8 },
        ],
      }),
    );
  }
  const registered = (performance.now() - t) / 1000;
  const creates: number[] = [];
  for (let k = 0; k < ACTIVE; k++) {
    t = performance.now();
    await plane.createRun({ recipe: "tiny", dataset: `d${k % REGIONS}`, steps: 100 });
    creates.push(performance.now() - t);
  }
  // The baseline: placement alone, on the same fleet and rules, with what the runs hold already taken off.
  const fleet = await plane.fleet();
  const placements: number[] = [];
  for (let k = 0; k < 1000; k++) {
    t = performance.now();
    place({ dataset: scaleDatasets[k % REGIONS]!, count: 1 }, fleet, scaleRules, new Date(clock), { ordered: true });
    placements.push(performance.now() - t);
  }
  // 1% of the agents go silent past the timeout; the others are heard from.
  clock += timeoutMs + 1000;
  const silent = Math.max(1, Math.floor(clusters / 100));
  for (let i = silent; i < clusters; i += 1000)
    await Promise.all(ids.slice(i, Math.min(i + 1000, clusters)).map((id, j) => plane.heartbeat(id, `r${(i + j) % REGIONS}`)));
  t = performance.now();
  const moved = await plane.sweep(timeoutMs);
  const sweepMs = performance.now() - t;
  t = performance.now();
  await plane.sweep(timeoutMs);
  const idleSweepMs = performance.now() - t;
  await plane.close();
  await scaleStore.close();
  const target = clusters >= 10_000 ? 50 : 5;
  const p99 = pct(creates, 99);
  return [
    `\n${clusters.toLocaleString("en")} registered clusters (${REGIONS} regions, registered through the plane, not HTTP: ${registered.toFixed(1)} s), ${ACTIVE.toLocaleString("en")} active runs:`,
    `  run creation: p50 ${pct(creates, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${Math.max(...creates).toFixed(1)} ms (target p99 ≤ ${target} ms: ${p99 <= target ? "met" : "NOT met"})`,
    `  placement alone (baseline): p50 ${pct(placements, 50).toFixed(2)} ms, p99 ${pct(placements, 99).toFixed(2)} ms — creation p50 is ${(pct(creates, 50) / pct(placements, 50)).toFixed(1)}× placement alone`,
    `  recovery sweep, ${silent} silent agents: ${moved.length} runs lost, ${moved.filter((m) => m.to).length} placed again, in ${sweepMs.toFixed(1)} ms (${(sweepMs / Math.max(1, moved.length)).toFixed(2)} ms a run, ${(sweepMs / Math.max(1, moved.length) / pct(creates, 50)).toFixed(1)}× a creation's p50); a sweep with nothing to do (baseline): ${idleSweepMs.toFixed(1)} ms`,
  ];
}
await new Promise((r) => setTimeout(r, 2000)); // the thousand connections of part 2 wind down first
const scaleReport = [...(await scale(1_000)), ...(await scale(10_000))];

console.log("bench:control\n");
console.log(`ingest (${POINTS.toLocaleString("en")} points in batches of ${BATCH}, SQLite):`);
console.log(`  straight to the store (baseline): ${Math.round(direct).toLocaleString("en")} points/s`);
console.log(
  `  through the control plane's HTTP API: ${Math.round(viaHttp).toLocaleString("en")} points/s (${((100 * viaHttp) / direct).toFixed(0)}% of the baseline; target ≥ 50,000: ${viaHttp >= 50_000 ? "met" : "NOT met"})`,
);
console.log(`\n${AGENTS.toLocaleString("en")} agents long-polling and heartbeating every second, ${latencies.length} commands:`);
console.log(
  `  command → agent latency: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
);
console.log(
  `  wall time of this part (${AGENTS.toLocaleString("en")} runs created over HTTP, then the polling): ${agentsWall.toFixed(1)} s (target < 60 s: ${agentsWall < 60 ? "met" : "NOT met"})`,
);
for (const line of scaleReport) console.log(line);
rmSync(dir, { recursive: true, force: true });
