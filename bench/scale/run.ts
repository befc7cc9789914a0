// bench:scale — what a second benih instance adds, and what PostgreSQL + Redis cost over SQLite, all measured in
// this one run on one machine.
//
// 1. Requests/s and p99 latency of a tiny non-streaming POST /v1/chat/completions through HAProxy with 1 and with 2
//    `benih serve` processes behind it, both on one PostgreSQL database and one Redis database.
// 2. One instance called directly: SQLite store (BENIH_DATA_DIR only) against PostgreSQL + Redis (DATABASE_URL,
//    REDIS_URL): p50/p99 of sequential requests (no queueing: what the store and Redis add to one request), and
//    requests/s and p99 under the same load as in 1.
//
// Every request signs in with an API key and passes a quota no request of this run reaches (auth and quota in the
// config), so the key lookup and the quota's counters are on the request path: in PostgreSQL + Redis mode the key
// is looked up in PostgreSQL and the counters live in Redis; in SQLite mode in SQLite and in the process. One key
// makes all the load, so the config lets a key have as many requests in progress as there are connections.
//
// Why ratios: the upstream (a fake OpenAI server on loopback), the load generator (autocannon), HAProxy, the
// instances, PostgreSQL and Redis all share this machine's cores, so absolute figures say more about the machine
// than about benih. A second instance can only help as far as there is CPU left for it: the CPU table says how each
// part shared the cores in each run, and so whether 2-vs-1 was limited by benih or by everything else.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeOpenAI } from "@benih/fake-upstreams";
import { createTestPgDatabase } from "@benih/store/testing";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { latencies, type LatencyResult } from "../lib/measure.ts";
import { freePort } from "../lib/processes.ts";
import { cpuMeter, pidsNamed, type Part } from "./cpu.ts";
import { type Server, startBenih, startHaproxy } from "./servers.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 32;
const SEQUENTIAL = Number(process.env.BENCH_REQUESTS ?? 2000);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10";
const CORES = availableParallelism();

const body = JSON.stringify({ model: "quick", messages: [{ role: "user", content: "Hi" }] });

const up = await startFakeOpenAI({ models: ["ok"] });
const dir = mkdtempSync(join(tmpdir(), "benih-bench-scale-"));
const config = join(dir, "benih.yaml");
writeFileSync(
  config,
  `server: { shutdown: { drainSeconds: 1, graceSeconds: 5 } }
providers:
  - { name: up, type: openai-compatible, baseURL: "${up.url}/v1", apiKey: sk-up, listModels: false }
routes:
  - { model: quick, targets: [{ provider: up, model: ok }] }
training: { localAgent: false }
auth: { required: true, signup: open }
quota: { requestsPerMinute: 100000000, tokensPerDay: 100000000000 }
limits: { concurrentPerKey: ${CONNECTIONS} }
`,
);

const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
await redis.connect();
await redis.flushdb();
redis.disconnect();
const db = await createTestPgDatabase();

const servers: Server[] = [];
const started = <T extends Server>(s: T) => {
  servers.push(s);
  return s;
};
const shared = { DATABASE_URL: db.url, REDIS_URL, BENIH_MODELS_DIR: join(dir, "no-models") };
const [p1, p2, pSqlite, pLb1, pLb2] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];

/** A person signed up on `origin`, and an API key of theirs. */
async function apiKey(origin: string): Promise<string> {
  const res = await fetch(`${origin}/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@example.com", password: "bench password" }),
  });
  if (res.status !== 201) throw new Error(`sign-up at ${origin} answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const made = await fetch(`${origin}/v1/me/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
    body: JSON.stringify({ name: "bench" }),
  });
  if (made.status !== 201 && made.status !== 200)
    throw new Error(`making a key at ${origin} answered ${made.status}: ${await made.text()}`);
  return ((await made.json()) as { key: string }).key;
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpu: Array<{ name: string; seconds: number }>;
}

/** `CONNECTIONS` connections for `SECONDS` after a `WARMUP_SECONDS` run that is thrown away; CPU metered over the measured run only. */
async function load(url: string, key: string, meter: ReturnType<typeof cpuMeter>): Promise<Load> {
  const opts = {
    url: `${url}/v1/chat/completions`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body,
    connections: CONNECTIONS,
  };
  await autocannon({ ...opts, duration: WARMUP_SECONDS });
  meter.start();
  const r = await autocannon({ ...opts, duration: SECONDS });
  const cpu = meter.stop();
  up.seen.length = 0; // the fake keeps every request it saw
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts, cpu };
}

const pidOf = (s: Server | undefined) => () => (s?.child.pid ? [s.child.pid] : []);
const fmt = (x: number, d = 0, w = 9) => x.toFixed(d).padStart(w);

function cpuTable(runs: Array<[string, Load]>) {
  const names = runs[0]![1].cpu.map((c) => c.name);
  console.log(`\n  CPU used during the ${SECONDS} s run, % of one core (${CORES} cores = ${CORES * 100}%)`);
  console.log(`  ${"".padEnd(40)}${runs.map(([n]) => n.padStart(14)).join("")}`);
  for (const name of [...names, "machine total"]) {
    const cells = runs.map(([, r]) => {
      const s = name === "machine total" ? r.cpu.reduce((a, c) => a + c.seconds, 0) : r.cpu.find((c) => c.name === name)!.seconds;
      return `${fmt((100 * s) / SECONDS, 0, 13)}%`;
    });
    console.log(`  ${name.padEnd(40)}${cells.join("")}`);
  }
  console.log(`  ${"benih CPU ms per request".padEnd(40)}${runs.map(([, r]) => fmt(benihMsPerRequest(r), 3, 14)).join("")}`);
}
const benihMsPerRequest = (r: Load) =>
  (1000 * r.cpu.filter((c) => c.name.startsWith("benih")).reduce((a, c) => a + c.seconds, 0)) / (r.rps * SECONDS);

const loadRow = (name: string, r: Load) =>
  console.log(`  ${name.padEnd(40)}${fmt(r.rps)}${fmt(r.p50, 0, 8)}${fmt(r.p99, 0, 8)}${fmt(r.errors, 0, 8)}`);

try {
  const b1 = started(await startBenih("benih-1", config, p1, { ...shared, BENIH_DATA_DIR: join(dir, "benih-1") }));
  const b2 = started(await startBenih("benih-2", config, p2, { ...shared, BENIH_DATA_DIR: join(dir, "benih-2") }));
  const lb1 = started(await startHaproxy("haproxy-1", dir, pLb1, [b1]));
  const lb2 = started(await startHaproxy("haproxy-2", dir, pLb2, [b1, b2]));
  const sqlite = started(
    await startBenih("benih-sqlite", config, pSqlite, { BENIH_DATA_DIR: join(dir, "sqlite"), BENIH_MODELS_DIR: join(dir, "no-models") }),
  );
  const pgKey = await apiKey(b1.url);
  const sqliteKey = await apiKey(sqlite.url);

  const stores: Part[] = [
    { name: "PostgreSQL (all its processes)", pids: () => pidsNamed("postgres") },
    { name: "Redis", pids: () => pidsNamed("redis-server") },
  ];
  const self = "bench process (fake upstream + autocannon)";

  console.log(
    `bench:scale — ${CONNECTIONS} connections × ${SECONDS} s per load run (after ${WARMUP_SECONDS} s thrown away), ${SEQUENTIAL} sequential requests per target for latency; ${CORES} cores shared by everything`,
  );
  console.log(
    "every request carries an API key and passes a quota no request reaches (requestsPerMinute 100,000,000): in PostgreSQL + Redis mode the key lookup is in PostgreSQL and the quota counters are in Redis, on the request path",
  );

  console.log("\n1. through HAProxy, PostgreSQL + Redis                 req/s  p50 ms  p99 ms  errors");
  const one = await load(
    lb1.url,
    pgKey,
    cpuMeter(
      [{ name: "HAProxy", pids: pidOf(lb1) }, { name: "benih-1", pids: pidOf(b1) }, { name: "benih-2", pids: pidOf(b2) }, ...stores],
      self,
    ),
  );
  loadRow("1 instance", one);
  const two = await load(
    lb2.url,
    pgKey,
    cpuMeter(
      [{ name: "HAProxy", pids: pidOf(lb2) }, { name: "benih-1", pids: pidOf(b1) }, { name: "benih-2", pids: pidOf(b2) }, ...stores],
      self,
    ),
  );
  loadRow("2 instances", two);
  cpuTable([
    ["1 instance", one],
    ["2 instances", two],
  ]);
  console.log(`\n  2 instances ÷ 1 instance: req/s ${(two.rps / one.rps).toFixed(2)}, p99 ${(two.p99 / one.p99).toFixed(2)}`);
  console.log("  (in the 1-instance run benih-2 is up but not behind that HAProxy: its CPU is what an idle instance uses)");

  console.log("\n2. one instance, direct: SQLite against PostgreSQL + Redis");
  const lat = await latencies(
    [
      { target: { name: "SQLite", url: `${sqlite.url}/v1/chat/completions`, headers: { authorization: `Bearer ${sqliteKey}` } }, body },
      { target: { name: "PostgreSQL + Redis", url: `${b1.url}/v1/chat/completions`, headers: { authorization: `Bearer ${pgKey}` } }, body },
    ],
    SEQUENTIAL,
    500,
  );
  const failed = [...lat].filter(([, r]) => typeof r === "string");
  if (failed.length) throw new Error(failed.map(([n, r]) => `${n}: ${r}`).join("; "));
  const lite = lat.get("SQLite") as LatencyResult;
  const pgr = lat.get("PostgreSQL + Redis") as LatencyResult;
  console.log(`  sequential, one connection, ms     ${"p50".padStart(9)}${"p99".padStart(9)}`);
  console.log(`  ${"SQLite".padEnd(34)}${fmt(lite.p50, 3)}${fmt(lite.p99, 3)}`);
  console.log(`  ${"PostgreSQL + Redis".padEnd(34)}${fmt(pgr.p50, 3)}${fmt(pgr.p99, 3)}`);
  console.log(
    `  PostgreSQL + Redis ÷ SQLite: p50 ${(pgr.p50 / lite.p50).toFixed(2)} (+${(pgr.p50 - lite.p50).toFixed(3)} ms), p99 ${(pgr.p99 / lite.p99).toFixed(2)} (+${(pgr.p99 - lite.p99).toFixed(3)} ms)`,
  );

  console.log(`\n  under load, ${CONNECTIONS} connections${"".padEnd(17)}req/s  p50 ms  p99 ms  errors`);
  const liteLoad = await load(sqlite.url, sqliteKey, cpuMeter([{ name: "benih (SQLite)", pids: pidOf(sqlite) }, ...stores], self));
  loadRow("SQLite", liteLoad);
  const pgLoad = await load(b1.url, pgKey, cpuMeter([{ name: "benih (PostgreSQL + Redis)", pids: pidOf(b1) }, ...stores], self));
  loadRow("PostgreSQL + Redis", pgLoad);
  const rename = (r: Load): Load => ({ ...r, cpu: r.cpu.map((c) => (c.name.startsWith("benih") ? { ...c, name: "benih" } : c)) });
  cpuTable([
    ["SQLite", rename(liteLoad)],
    ["PG + Redis", rename(pgLoad)],
  ]);
  console.log(
    `\n  PostgreSQL + Redis ÷ SQLite under load: req/s ${(pgLoad.rps / liteLoad.rps).toFixed(2)}, p99 ${(pgLoad.p99 / liteLoad.p99).toFixed(2)}`,
  );
} finally {
  for (const s of servers) s.child.kill("SIGKILL");
  await Promise.all(servers.map((s) => (s.child.exitCode === null ? new Promise((r) => s.child.once("exit", r)) : undefined)));
  await up.close();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
}
