// bench:control — the training control plane's two loads, on loopback HTTP with the SQLite store:
//  1. metric points ingested per second (batches of 500, as agents send them), against the same rows written
//     straight to the store in the same run (the baseline: what HTTP, validation and routing cost on top). Target:
//     ≥ 50,000 points/s.
//  2. 1,000 simulated agents long-polling and heartbeating every second; commands sent to random agents, and the
//     latency until each agent has its command (p50, p99).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import Fastify from "fastify";
import { ControlPlane, registerControlRoutes } from "@benih/control";
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
await app.close();
await pool.close();
await pollPool.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
