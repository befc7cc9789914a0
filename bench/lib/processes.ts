import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts a child process and waits until `ready` answers 2xx. */
export async function startProcess(
  name: string,
  cmd: string,
  args: string[],
  ready: string,
  env: NodeJS.ProcessEnv = {},
  init?: RequestInit,
): Promise<ChildProcess> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr.slice(-2000)}`);
    try {
      const res = await fetch(ready, init);
      if (res.status < 500) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`${name} did not start: ${stderr.slice(-2000)}`);
}

export function stop(...children: Array<ChildProcess | undefined>) {
  for (const c of children) c?.kill("SIGTERM");
}
