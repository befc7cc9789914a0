import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { Store } from "@benih/store";
import { freePort } from "../ports.ts";
import { agentCommand } from "../training-config.ts";
import { until } from "../until.ts";

// Trainers started here use one thread each: several run at once, beside the other test files.
process.env.BENIH_TRAINER_THREADS ??= "1";

// kill -9 the control plane (a real `benih serve`) in the middle of a run, and start it again on the same data.
const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "benih-plane-restart-"));
const procs: ChildProcess[] = [];
after(() => {
  for (const p of procs) p.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("control plane restart", () => {
  it("after kill -9 and a restart no run is lost, the agent reconnects, and the metrics have no gaps", async () => {
    const port = await freePort();
    const config = join(root, "benih.yaml");
    writeFileSync(
      config,
      `training:
  heartbeatTimeoutSeconds: 10
  agents: [{ region: cn-north, token: agent-token-cn-north-0001 }]
  datasets: [{ id: cn-chat, market: cn, region: cn-north, source: cn }]
`,
    );
    const env = {
      ...process.env,
      BENIH_DATA_DIR: join(root, "data"),
      BENIH_MODELS_DIR: join(root, "no-models"),
      PORT: String(port),
      LOG_LEVEL: "warn",
    };
    const serve = () => {
      const p = spawn(process.execPath, [bin, "serve", "--config", config], { env, stdio: "ignore" });
      procs.push(p);
      return p;
    };
    const url = `http://127.0.0.1:${port}`;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(url + path, {
        method,
        headers: body ? { "content-type": "application/json" } : {},
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return (await res.json()) as any;
    };
    let plane = serve();
    await until("the control plane", async () => ((await fetch(`${url}/health`)).ok ? true : undefined));
    const agent = spawn(
      process.execPath,
      agentCommand({ url, cluster: "bj-1", nodes: ["g0=H20:8"], runs: join(root, "runs"), checkpointEvery: 100 }),
      { env, stdio: "ignore" },
    );
    procs.push(agent);
    await until("the agent", async () => ((await api("GET", "/control/v1/fleet")).clusters.length === 1 ? true : undefined));
    const { id } = await api("POST", "/control/v1/runs", { recipe: "micro", dataset: "cn-chat", steps: 2_000_000 });
    const step = async () => (await api("GET", `/control/v1/runs/${id}`)).run.step as number;
    await until("metrics", async () => ((await step()) > 300 ? true : undefined));

    plane.kill("SIGKILL");
    await new Promise((r) => plane.once("exit", r));
    await new Promise((r) => setTimeout(r, 1500)); // the agent keeps training and buffering meanwhile
    plane = serve();
    await until("the control plane again", async () => ((await fetch(`${url}/health`)).ok ? true : undefined));
    const before = await step();
    await until("the agent re-registered and metrics flowing", async () =>
      (await api("GET", "/control/v1/fleet")).clusters.length === 1 && (await step()) > before + 500 ? true : undefined,
    );
    const shown = await api("GET", `/control/v1/runs/${id}`);
    assert.equal(shown.run.state, "running", "the run was not lost");
    assert.ok(!shown.events.some((e: { toState: string }) => e.toState === "lost"));
    await api("POST", `/control/v1/runs/${id}/commands`, { command: "stop" });
    await until("stopped", async () => ((await api("GET", `/control/v1/runs/${id}`)).run.state === "stopped" ? true : undefined));
    plane.kill("SIGTERM");
    await new Promise((r) => plane.once("exit", r));

    const store = await Store.open({ dialect: "sqlite", target: join(root, "data", "benih.db") });
    try {
      const steps = (await store.training.metrics(id)).map((m) => m.step);
      assert.equal(steps[0], 1);
      assert.deepEqual(
        steps.filter((s, i) => i > 0 && s !== steps[i - 1]! + 1),
        [],
        "no gaps across the restart",
      );
      assert.ok(steps.length > before + 500);
    } finally {
      await store.close();
    }
  });
});
