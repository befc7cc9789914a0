// bench:gateway — what benih adds in front of an upstream, against the upstream called directly, a bare reverse
// proxy (undici, no logic: the floor for any Node gateway) and Portkey's open-source gateway on the same upstream,
// all measured in this one run.
//
// Each server runs in its own process; this process only drives load. Targets: benih's added p50 latency at most
// half of Portkey's and at most 1.5× the bare proxy's, and benih's requests/s at least twice Portkey's.
//
// "Accounts and quotas on": the same benih with sign-in required and a quota on, counters in the process and (with
// Redis answering at BENCH_REDIS_URL, default redis://127.0.0.1:6379/15, flushed first) in Redis, called by a
// person once with their API key and once with their browser's session cookie. The added p50 over plain benih is
// what the key or session lookup and the quota check cost. Targets: ≤ 0.05 ms in-process, ≤ 0.3 ms with Redis.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { latencies, type LatencyResult, type Target } from "../lib/measure.ts";
import { freePort, startProcess, stop } from "../lib/processes.ts";

const N = Number(process.env.BENCH_REQUESTS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;
const root = fileURLToPath(new URL("../..", import.meta.url));
const tsx = ["--import", "tsx"];

const body = (stream: boolean, model: string) =>
  JSON.stringify({ model, messages: [{ role: "user", content: "Say something about foxes." }], ...(stream && { stream: true }) });

async function throughput(t: Target, b: string): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const r = await autocannon({
    url: t.url,
    method: "POST",
    headers: { "content-type": "application/json", ...t.headers },
    body: b,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const dataDir = mkdtempSync(join(tmpdir(), "benih-bench-"));
const [upPort, benihPort, portkeyPort, bareProxyPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
const upstream = await startProcess(
  "upstream",
  process.execPath,
  [...tsx, join(root, "bench/lib/upstream.ts"), String(upPort)],
  `http://127.0.0.1:${upPort}/v1/models`,
);
const benih = await startProcess(
  "benih",
  process.execPath,
  [join(root, "apps/server/bin/benih.mjs"), "serve", "--port", String(benihPort)],
  `http://127.0.0.1:${benihPort}/health`,
  {
    BENIH_DATA_DIR: dataDir,
    BENIH_MODELS_DIR: join(dataDir, "none"),
    OPENAI_API_KEY: "sk-bench",
    OPENAI_BASE_URL: `http://127.0.0.1:${upPort}/v1`,
    LOG_LEVEL: "info",
  },
);
// A quota no request of this run reaches: every request is checked and counted, none refused.
const quotaYaml = join(dataDir, "quota.yaml");
writeFileSync(quotaYaml, "auth: { required: true, signup: open }\nquota: { requestsPerMinute: 1000000000, tokensPerDay: 1000000000000 }\n");
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/15";
async function redisAnswers(): Promise<boolean> {
  const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => {});
  try {
    await r.connect();
    await r.flushdb();
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
/** A person signed up on a benih: their session (cookie and CSRF token) and an API key of theirs. */
async function signUp(origin: string) {
  const res = await fetch(`${origin}/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@example.com", password: "bench password" }),
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const session = { cookie, "x-csrf-token": csrfToken };
  const made = await fetch(`${origin}/v1/me/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", ...session },
    body: JSON.stringify({ name: "bench" }),
  });
  const { key } = (await made.json()) as { key: string };
  return { session, key };
}
const startQuotaBenih = async (name: string, redis?: string) => {
  const port = await freePort();
  const child = await startProcess(
    name,
    process.execPath,
    [join(root, "apps/server/bin/benih.mjs"), "serve", "--port", String(port), "--config", quotaYaml],
    `http://127.0.0.1:${port}/health`,
    {
      BENIH_DATA_DIR: join(dataDir, name),
      BENIH_MODELS_DIR: join(dataDir, "none"),
      OPENAI_API_KEY: "sk-bench",
      OPENAI_BASE_URL: `http://127.0.0.1:${upPort}/v1`,
      LOG_LEVEL: "info",
      ...(redis && { REDIS_URL: redis }),
    },
  );
  const { session, key } = await signUp(`http://127.0.0.1:${port}`);
  const url = `http://127.0.0.1:${port}/v1/chat/completions`;
  return {
    child,
    targets: [
      { name: `${name}, key`, url, headers: { authorization: `Bearer ${key}` } },
      { name: `${name}, session`, url, headers: session },
    ],
  };
};
const quotaOn = await startQuotaBenih("benih + quota");
const quotaRedis = (await redisAnswers()) ? await startQuotaBenih("benih + quota, Redis", redisUrl) : undefined;
if (!quotaRedis) console.log(`Redis does not answer at ${redisUrl}: no Redis column`);
const quotaTargets = [quotaOn, ...(quotaRedis ? [quotaRedis] : [])].flatMap((q) => q.targets);

const bareProxy = await startProcess(
  "bare proxy",
  process.execPath,
  [...tsx, join(root, "bench/gateway/bare-proxy.ts"), String(bareProxyPort), `http://127.0.0.1:${upPort}`],
  `http://127.0.0.1:${bareProxyPort}/v1/models`,
);

let portkey: ChildProcess | undefined;
try {
  portkey = await startProcess(
    "portkey",
    process.execPath,
    [join(root, "node_modules/@portkey-ai/gateway/build/start-server.js"), `--port=${portkeyPort}`, "--headless"],
    `http://127.0.0.1:${portkeyPort}/`,
  );
} catch (err) {
  console.log(`Portkey could not start: ${(err as Error).message.slice(0, 300)}`);
}

const targets: Record<"direct" | "bare proxy" | "benih" | "portkey", Target> = {
  direct: { name: "direct", url: `http://127.0.0.1:${upPort}/v1/chat/completions`, headers: {} },
  "bare proxy": { name: "bare proxy", url: `http://127.0.0.1:${bareProxyPort}/v1/chat/completions`, headers: {} },
  benih: { name: "benih", url: `http://127.0.0.1:${benihPort}/v1/chat/completions`, headers: {} },
  portkey: {
    name: "portkey",
    url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
    headers: { "x-portkey-provider": "openai", "x-portkey-custom-host": `http://127.0.0.1:${upPort}/v1`, authorization: "Bearer sk-bench" },
  },
};
const modelFor = (name: string) => (name.startsWith("benih") ? "openai/bench" : "bench");

const fmt = (x: number) => x.toFixed(3).padStart(8);
try {
  console.log(
    `bench:gateway — ${N} sequential requests per target for latency (after 1000 to warm up, interleaved), ${CONNECTIONS} connections × ${SECONDS}s for throughput\n`,
  );

  const running = [...Object.values(targets).filter((t) => t.name !== "portkey" || portkey), ...quotaTargets];
  const lat = await latencies(
    running.map((t) => ({ target: t, body: body(false, modelFor(t.name)) })),
    N,
  );
  const streamLat = await latencies(
    running.map((t) => ({ target: t, body: body(true, modelFor(t.name)) })),
    N,
  );
  const ok = (r: LatencyResult | string | undefined): r is LatencyResult => typeof r === "object";
  const direct = lat.get("direct") as LatencyResult;
  const directStream = streamLat.get("direct") as LatencyResult;
  const added = (name: string) => (lat.get(name) as LatencyResult).p50 - direct.p50;
  console.log("non-streaming latency, ms        p50      p99   added p50  added p99");
  for (const [name, r] of lat) {
    if (!ok(r)) console.log(`  ${name.padEnd(28)}${r}`);
    else
      console.log(
        `  ${name.padEnd(28)}${fmt(r.p50)} ${fmt(r.p99)} ${name === "direct" ? "" : `${fmt(r.p50 - direct.p50)}   ${fmt(r.p99 - direct.p99)}`}`,
      );
  }
  console.log("streaming, time to first byte, ms  p50      p99   added p50  added p99");
  for (const [name, r] of streamLat) {
    if (!ok(r)) console.log(`  ${name.padEnd(28)}${r}`);
    else
      console.log(
        `  ${name.padEnd(28)}${fmt(r.ttft50)} ${fmt(r.ttft99)} ${name === "direct" ? "" : `${fmt(r.ttft50 - directStream.ttft50)}   ${fmt(r.ttft99 - directStream.ttft99)}`}`,
      );
  }

  const tp: Record<string, Awaited<ReturnType<typeof throughput>>> = {};
  for (const [name, t] of Object.entries(targets)) {
    if (name === "portkey" && !portkey) continue;
    tp[name] = await throughput(t, body(false, modelFor(name)));
  }
  const streamTp = {
    direct: await throughput(targets.direct, body(true, "bench")),
    benih: await throughput(targets.benih, body(true, "openai/bench")),
  };
  console.log(`\nthroughput, ${CONNECTIONS} connections        req/s    p50 ms   p99 ms  errors`);
  for (const [name, r] of Object.entries(tp))
    console.log(
      `  ${name.padEnd(28)}${r.rps.toFixed(0).padStart(8)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(8)} ${String(r.errors).padStart(7)}`,
    );
  for (const [name, r] of Object.entries(streamTp))
    console.log(
      `  ${(`${name} (stream)`).padEnd(28)}${r.rps.toFixed(0).padStart(8)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(8)} ${String(r.errors).padStart(7)}`,
    );

  console.log("\naccounts and quotas on (key or session lookup + quota check), added p50 over plain benih, ms");
  const plain = lat.get("benih") as LatencyResult;
  for (const [t, target] of [
    ...quotaOn.targets.map((t) => [t, 0.05] as const),
    ...(quotaRedis?.targets ?? []).map((t) => [t, 0.3] as const),
  ]) {
    const r = lat.get(t.name);
    if (!ok(r)) {
      console.log(`  ${t.name.padEnd(28)}${r}`);
      continue;
    }
    const extra = r.p50 - plain.p50;
    console.log(
      `  ${t.name.padEnd(28)}${fmt(extra)}  (target ≤ ${target}: ${extra <= target ? "met" : "NOT met"}; benih p50 ÷ direct p50 ${(r.p50 / direct.p50).toFixed(3)}, plain benih ${(plain.p50 / direct.p50).toFixed(3)})`,
    );
  }

  console.log("\nratios");
  console.log(`  benih req/s ÷ direct req/s:              ${(tp.benih!.rps / tp.direct!.rps).toFixed(3)}`);
  console.log(`  benih stream req/s ÷ direct stream req/s: ${(streamTp.benih.rps / streamTp.direct.rps).toFixed(3)}`);
  const overBare = added("benih") / added("bare proxy");
  console.log(
    `  benih added p50 ÷ bare proxy added p50:   ${overBare.toFixed(2)}  (target ≤ 1.5: ${overBare <= 1.5 ? "met" : "NOT met"}; bare proxy adds ${added("bare proxy").toFixed(3)} ms)`,
  );
  if (tp.portkey) {
    const latRatio = added("benih") / added("portkey");
    const rpsRatio = tp.benih!.rps / tp.portkey.rps;
    console.log(
      `  benih added p50 ÷ Portkey added p50:      ${latRatio.toFixed(3)}  (target ≤ 0.5: ${latRatio <= 0.5 ? "met" : "NOT met"})`,
    );
    console.log(`  benih req/s ÷ Portkey req/s:              ${rpsRatio.toFixed(2)}  (target ≥ 2: ${rpsRatio >= 2 ? "met" : "NOT met"})`);
  } else {
    console.log("  Portkey did not run: no comparison");
  }
} finally {
  stop(upstream, benih, bareProxy, portkey, quotaOn.child, quotaRedis?.child);
  rmSync(dataDir, { recursive: true, force: true });
}
