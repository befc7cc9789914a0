import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../apps/server/bin/benih.mjs", import.meta.url));

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
}

async function until(what: string, ready: () => Promise<boolean>, child: ChildProcess, log: string[], ms: number) {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${log.join("").slice(-2000)}`);
    if (await ready().catch(() => false)) return;
  }
  child.kill("SIGKILL");
  throw new Error(`${what} was not ready after ${ms / 1000} s: ${log.join("").slice(-2000)}`);
}

/** One `benih serve --config <config>` process on `port`, resolved once `/ready` answers 200. */
export async function startBenih(name: string, config: string, port: number, env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, [bin, "serve", "--config", config], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  child.stdout!.on("data", (b: Buffer) => log.push(b.toString()));
  child.stderr!.on("data", (b: Buffer) => log.push(b.toString()));
  const url = `http://127.0.0.1:${port}`;
  await until(name, async () => (await fetch(`${url}/ready`)).ok, child, log, 60_000);
  return { name, url, child };
}

/** HAProxy on loopback in front of `backends`, as apps/server/test/cluster/cluster.ts sets it up, less the retries. */
export async function startHaproxy(name: string, dir: string, port: number, backends: Server[]): Promise<Server> {
  const cfg = join(dir, `${name}.cfg`);
  writeFileSync(
    cfg,
    `global
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 1s
frontend benih
  bind 127.0.0.1:${port}
  default_backend instances
backend instances
  balance roundrobin
  option httpchk GET /ready
  http-check expect status 200
  default-server inter 1s fall 2 rise 1
${backends.map((b) => `  server ${b.name} ${new URL(b.url).host} check`).join("\n")}
`,
  );
  const child = spawn("haproxy", ["-f", cfg, "-db"], { stdio: ["ignore", "ignore", "pipe"] });
  const log: string[] = [];
  child.stderr!.on("data", (b: Buffer) => log.push(b.toString()));
  const url = `http://127.0.0.1:${port}`;
  await until(name, async () => (await fetch(`${url}/ready`)).ok, child, log, 20_000);
  // rise 1: every backend passes its first check within one interval, then takes its share of the requests.
  await new Promise((r) => setTimeout(r, 1200));
  return { name, url, child };
}
