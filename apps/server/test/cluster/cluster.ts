import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestPgDatabase } from "@benih/store/testing";
import { Redis } from "ioredis";
import { freePort } from "../ports.ts";
import { until } from "../until.ts";
import { loopbackHaproxyConfig } from "./haproxy.ts";

const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));

/** HAProxy, as Debian ships it; the cluster suite needs it (`.ci/run` installs it). */
export function haproxyMissing(): string | undefined {
  const r = spawnSync("haproxy", ["-v"], { encoding: "utf8" });
  return r.status === 0 ? undefined : "haproxy is not installed (apt-get install haproxy)";
}

export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The instance id `/ready` names (the holder of its leases). */
  id: string;
  /** Output, for a failing test to show. */
  log: string[];
}

/**
 * `n` real `benih serve` processes on one PostgreSQL database and one Redis database, behind HAProxy on loopback
 * configured as compose.yaml ships it (see loopbackHaproxyConfig).
 */
export async function startCluster(o: { n: number; yaml: string; redisDb: number; env?: Record<string, string> }) {
  const root = mkdtempSync(join(tmpdir(), "benih-cluster-"));
  const db = await createTestPgDatabase();
  const redisUrl = `redis://127.0.0.1:6379/${o.redisDb}`;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  await redis.flushdb();
  redis.disconnect();
  const config = join(root, "benih.yaml");
  writeFileSync(config, o.yaml);
  const ports = await Promise.all(Array.from({ length: o.n }, () => freePort()));
  const instances: Instance[] = [];

  const start = async (i: number): Promise<Instance> => {
    const name = `benih-${i + 1}`;
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      BENIH_DATA_DIR: join(root, name),
      BENIH_MODELS_DIR: join(root, "no-models"),
      PORT: String(ports[i]),
      LOG_LEVEL: "warn",
      ...o.env,
    };
    const child = spawn(process.execPath, [bin, "serve", "--config", config], { env, stdio: ["ignore", "pipe", "pipe"] });
    const log: string[] = [];
    child.stdout!.on("data", (b: Buffer) => log.push(b.toString()));
    child.stderr!.on("data", (b: Buffer) => log.push(b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const url = `http://127.0.0.1:${ports[i]}`;
    const ready = await until(
      `${name} ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited: ${log.join("")}`);
        const r = await fetch(`${url}/ready`).catch(() => undefined);
        return r?.ok ? ((await r.json()) as { instance: string }) : undefined;
      },
      60_000,
    );
    const inst = { name, url, child, exited, id: ready.instance, log };
    instances[i] = inst;
    return inst;
  };
  // One first, so the others find the migrations done (they would wait for its lock anyway).
  await start(0);
  await Promise.all(Array.from({ length: o.n - 1 }, (_, i) => start(i + 1)));

  const lbPort = await freePort();
  const cfg = join(root, "haproxy.cfg");
  writeFileSync(
    cfg,
    loopbackHaproxyConfig(
      lbPort,
      ports.map((port, i) => ({ name: `benih-${i + 1}`, port })),
    ),
  );
  const haproxy = spawn("haproxy", ["-f", cfg, "-db"], { stdio: ["ignore", "ignore", "pipe"] });
  const haproxyLog: string[] = [];
  haproxy.stderr!.on("data", (b: Buffer) => haproxyLog.push(b.toString()));
  const url = `http://127.0.0.1:${lbPort}`;
  await until("HAProxy", async () => ((await fetch(`${url}/ready`).catch(() => undefined))?.ok ? true : undefined), 20_000);
  // Every instance has passed HAProxy's checks (rise 2): each serves some of the next requests.
  await new Promise((r) => setTimeout(r, 600));

  return {
    url,
    db,
    instances,
    haproxyLog,
    /** Starts instance `i` again (after it stopped), on its port; resolves once it is ready. */
    restart: (i: number) => start(i),
    async close() {
      haproxy.kill("SIGKILL");
      for (const inst of instances) inst.child.kill("SIGKILL");
      await Promise.all(instances.map((inst) => inst.exited));
      await db.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>;
