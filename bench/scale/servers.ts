import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loopbackHaproxyConfig } from "../../apps/server/test/cluster/haproxy.ts";

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

/** HAProxy on loopback in front of `backends`, configured as compose.yaml ships it (see loopbackHaproxyConfig). */
export async function startHaproxy(name: string, dir: string, port: number, backends: Server[]): Promise<Server> {
  const cfg = join(dir, `${name}.cfg`);
  writeFileSync(
    cfg,
    loopbackHaproxyConfig(
      port,
      backends.map((b) => ({ name: b.name, port: Number(new URL(b.url).port) })),
    ),
  );
  const child = spawn("haproxy", ["-f", cfg, "-db"], { stdio: ["ignore", "ignore", "pipe"] });
  const log: string[] = [];
  child.stderr!.on("data", (b: Buffer) => log.push(b.toString()));
  const url = `http://127.0.0.1:${port}`;
  await until(name, async () => (await fetch(`${url}/ready`)).ok, child, log, 20_000);
  // rise 2: every backend passes two checks 200 ms apart, then takes its share of the requests.
  await new Promise((r) => setTimeout(r, 800));
  return { name, url, child };
}
