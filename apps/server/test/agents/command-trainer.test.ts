import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { runDetail } from "@benih/contracts";
import { startServer } from "../harness.ts";
import { agentCommand, controlApi } from "../training-config.ts";
import { until } from "../until.ts";

// A trainer benih did not write (docs/command-trainer.py, python3) as a `command` recipe under real `benih agent`
// processes: two cn-north agents sharing the region's run storage, so a run resumes on the other after a kill -9.
const trainer = fileURLToPath(new URL("../../../../docs/command-trainer.py", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "benih-command-"));
const yaml = `
training:
  heartbeatTimeoutSeconds: 3
  agents:
    - { region: cn-north, token: agent-token-cn-north-0001 }
  datasets:
    - { id: cn-chat, market: cn, region: cn-north, source: cn, flags: [personal-information] }
  recipes:
    - name: toy-py
      kind: command
      command: [python3, "${trainer}", --step-seconds, "0.005", --checkpoint-every, "2000"]
      env: { TOY_SEED: "7" }
      accelerator: { type: H20, count: 2 }
    - name: toy-py-broken
      kind: command
      command: [python3, "${trainer}", --step-seconds, "0.005", --checkpoint-every, "10", --bad-metrics-at, "37"]
  rules:
    accelerators:
      - { regions: [cn-north], allow: [H20], effective: "2023-10-17", source: "US export controls, 2023-10-17" }
    preference: [cn-north]
`;
const agents: ChildProcess[] = [];
after(() => {
  for (const a of agents) a.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

/** Whether a process is alive (signal 0 only checks). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("a command recipe (a trainer in another language)", () => {
  it("trains under the control plane: pause, resume, checkpoint-now, kill -9 of its agent (no orphan), stop; malformed metrics fail its run alone", async () => {
    const server = await startServer({ yaml });
    try {
      const runs = join(root, "cn-north");
      const byCluster = new Map<string, ChildProcess>();
      for (const cluster of ["bj-1", "bj-2"]) {
        // The agent's environment holds secrets (the server's own, when the agent runs inside it): none reach the trainer.
        const p = spawn(process.execPath, agentCommand({ url: server.url, cluster, nodes: ["g0=H20:8"], runs, checkpointEvery: 100 }), {
          stdio: ["ignore", "ignore", "pipe"],
          env: { ...process.env, BENIH_ADMIN_KEY: "bk-secret-of-the-server" },
        });
        p.stderr!.on("data", (d: Buffer) => process.env.BENIH_AGENT_LOG && process.stderr.write(`[${cluster}] ${d}`));
        agents.push(p);
        byCluster.set(cluster, p);
      }
      const api = controlApi(server.url);
      await until("two agents", async () => ((await api("GET", "/control/v1/fleet")).json.clusters.length === 2 ? true : undefined));
      assert.deepEqual((await api("GET", "/control/v1/datasets")).json.recipes.slice(-2), ["toy-py", "toy-py-broken"]);
      const unknown = await api("POST", "/control/v1/runs", { recipe: "torch-sft", dataset: "cn-chat", steps: 10 });
      assert.equal(unknown.status, 422);
      assert.match(unknown.json.error.message, /^no recipe torch-sft; recipes: tiny, .*toy-py, toy-py-broken$/);

      const created = await api("POST", "/control/v1/runs", { recipe: "toy-py", dataset: "cn-chat", steps: 1_000_000 });
      assert.equal(created.status, 201, created.json?.error?.message);
      const id = created.json.id as string;
      const show = async () => runDetail.parse((await api("GET", `/control/v1/runs/${id}`)).json);
      const placed = (await show()).run;
      assert.deepEqual([placed.requestedAccelerator, placed.accelerators], ["H20", 2], "the recipe's accelerator request");

      // The contract's environment and the recipe's own reach the trainer; its log reaches the home plane.
      const log = async () => (await api("GET", `/control/v1/runs/${id}/logs`)).json.lines.map((l: { text: string }) => l.text);
      const first = await until("the trainer's first line", async () => (await log()).find((t: string) => t.startsWith("toy trainer")));
      assert.match(first, /rank 0 of 1 node\(s\).*dataset cn, 1000000 steps, seed 7$/, "the recipe's env");
      const variables = await until("the trainer's variables", async () =>
        (await log()).find((t: string) => t.startsWith("benih variables:")),
      );
      assert.equal(
        variables,
        "benih variables: BENIH_ACCELERATOR BENIH_ACCELERATOR_COUNT BENIH_ATTEMPT BENIH_DATASET BENIH_NODES BENIH_RECIPE BENIH_RUN_DIR BENIH_RUN_ID BENIH_STEPS BENIH_TRAIN_EXIT_WITH_PARENT",
        "the contract's, and none of the agent's secrets",
      );
      const pidOf = (line: string) => Number(/pid (\d+)/.exec(line)![1]);

      await until("metrics", async () => ((await show()).run.step > 150 ? true : undefined));
      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "pause" })).status, 202);
      const paused = await until("paused", async () => {
        const s = await show();
        return s.run.state === "paused" && s.lastCheckpoint ? s : undefined;
      });
      assert.ok(paused.lastCheckpoint!.step >= paused.run.step - 1, "SIGTERM: a checkpoint, then exit 0");
      assert.match(paused.lastCheckpoint!.location, /checkpoints\/step-\d+\.json$/);

      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "resume" })).status, 202);
      await until("running again", async () => ((await show()).run.step > paused.run.step + 100 ? true : undefined));
      assert.ok(
        (await log()).some((t: string) => t === `resuming from step ${paused.lastCheckpoint!.step} (${paused.lastCheckpoint!.location})`),
      );
      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "checkpoint" })).status, 202);
      await until("checkpoint-now", async () => {
        const s = await show();
        return s.checkpoints.some((c) => c.step > paused.run.step && c.step % 2000 !== 0) ? true : undefined;
      });

      // kill -9 the agent: its trainer goes with it (no orphan writing on), and the run resumes on the other agent.
      const running = await show();
      const victim = running.run.cluster!;
      const orphan = pidOf((await log()).filter((t: string) => t.startsWith("toy trainer")).at(-1)!);
      byCluster.get(victim)!.kill("SIGKILL");
      await until("the victim's trainer to end", async () => (alive(orphan) ? undefined : true));
      const moved = await until("resumed on the other agent", async () => {
        const s = await show();
        return s.run.cluster !== victim && s.run.state === "running" ? s : undefined;
      });
      assert.match(moved.events.at(-2)!.reason, /resumed from step \d+ after its agent was lost/);
      await until("progress after recovery", async () => ((await show()).run.step > running.run.step + 100 ? true : undefined));

      // A second run whose trainer writes a malformed line: it fails naming the line; the first trains on.
      const broken = await api("POST", "/control/v1/runs", { recipe: "toy-py-broken", dataset: "cn-chat", steps: 1000 });
      const failed = await until("the broken run to fail", async () => {
        const s = runDetail.parse((await api("GET", `/control/v1/runs/${broken.json.id}`)).json);
        return s.run.state === "failed" ? s : undefined;
      });
      assert.match(failed.events.at(-1)!.reason, /malformed line to metrics\.jsonl \(line 37: loss: .*\): \{"step": 37, "loss": "NaN\?"\}/);
      assert.equal(failed.run.step, 36, "the points before the broken line are kept");
      assert.ok(failed.lastCheckpoint && failed.lastCheckpoint.step >= 30, "and its checkpoints");
      const before = (await show()).run.step;
      await until("the first run trains on", async () => ((await show()).run.step > before + 50 ? true : undefined));

      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "stop" })).status, 202);
      await until("stopped", async () => ((await show()).run.state === "stopped" ? true : undefined), 60_000);
      const steps = (await server.store.training.metrics(id)).map((m) => m.step);
      assert.deepEqual(
        steps.filter((s, i) => s !== i + 1),
        [],
        "one loss curve from step 1, without gaps, across pause, resume and recovery",
      );
      assert.deepEqual(
        (await show()).events.map((e) => e.toState),
        ["queued", "placed", "running", "paused", "placed", "running", "lost", "placed", "running", "stopped"],
      );
      // The run folder holds what the contract says: metrics, checkpoints (the newest three), each attempt's log.
      const folder = join(runs, id);
      assert.ok(existsSync(join(folder, "metrics.jsonl")));
      assert.equal(readdirSync(join(folder, "checkpoints")).filter((n) => n.endsWith(".json")).length, 3);
      assert.ok(readFileSync(join(folder, "train-1.log"), "utf8").startsWith("toy trainer"));
    } finally {
      for (const a of agents) a.kill("SIGKILL");
      await server.close();
    }
  });
});
