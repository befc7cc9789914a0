import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { startFakeS3 } from "@benih/fake-upstreams";
import { startServer } from "../harness.ts";
import { until } from "../until.ts";
import { agentCommand, cnNorthTraining } from "../training-config.ts";

// Trainers started here use one thread each: several run at once, beside the other test files.
process.env.BENIH_TRAINER_THREADS ??= "1";

// Two cn-north agents that share no folder: their checkpoints go to the region's S3-compatible bucket, and a run
// whose agent dies resumes on the other one from there.
const _bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "benih-agents-s3-"));
const yaml = cnNorthTraining(3);
const agents: ChildProcess[] = [];
after(() => {
  for (const a of agents) a.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("checkpoints in S3", () => {
  it("a run resumes on an agent that shares no folder with the lost one, from the checkpoint in the region's bucket", async () => {
    const s3 = await startFakeS3(["cn-north-ckpt"]);
    const server = await startServer({ yaml });
    try {
      const byCluster = new Map<string, ChildProcess>();
      for (const cluster of ["bj-1", "bj-2"]) {
        const p = spawn(
          process.execPath,
          agentCommand({
            url: server.url,
            cluster,
            nodes: ["g0=H20:8"],
            runs: join(root, cluster),
            checkpointEvery: 2000,
            more: ["--checkpoints", "s3://cn-north-ckpt/benih", "--s3-endpoint", s3.url],
          }),
          {
            stdio: ["ignore", "ignore", "pipe"],
            env: { ...process.env, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
          },
        );
        p.stderr!.on("data", (d: Buffer) => process.env.BENIH_AGENT_LOG && process.stderr.write(`[${cluster}] ${d}`));
        agents.push(p);
        byCluster.set(cluster, p);
      }
      const api = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(server.url + path, {
          method,
          headers: body ? { "content-type": "application/json" } : {},
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
      };
      await until("two agents", async () => ((await api("GET", "/control/v1/fleet")).json.clusters.length === 2 ? true : undefined));
      const { id } = (await api("POST", "/control/v1/runs", { recipe: "micro", dataset: "cn-chat", steps: 2_000_000 })).json as {
        id: string;
      };
      const show = async () =>
        (await api("GET", `/control/v1/runs/${id}`)).json as {
          run: { state: string; step: number; cluster: string };
          checkpoints: Array<{ step: number; location: string }>;
        };
      const first = await until("a checkpoint in the bucket", async () => (await show()).checkpoints.find((c) => c.step >= 4000));
      assert.match(first.location, new RegExp(`^s3://cn-north-ckpt/benih/${id}/step-\\d{9}\\.bin$`));

      const before = await show();
      byCluster.get(before.run.cluster)!.kill("SIGKILL");
      const moved = await until("resumed on the other agent", async () => {
        const s = await show();
        return s.run.cluster !== before.run.cluster && s.run.state === "running" ? s : undefined;
      });
      const resumedFrom = moved.checkpoints.at(-1)!.step;
      const logs = await until("the new attempt's first line", async () => {
        const lines = (await api("GET", `/control/v1/runs/${id}/logs?limit=5000`)).json.lines as Array<{ attempt: number; text: string }>;
        return lines.find((l) => l.attempt === 2);
      });
      assert.match(logs.text, /^resuming at step (\d+) on the /);
      assert.ok(
        Number(/step (\d+)/.exec(logs.text)![1]) >= first.step,
        `resumed from a checkpoint fetched from the bucket (${logs.text}; last recorded ${resumedFrom})`,
      );
      await until("progress after recovery", async () => ((await show()).run.step > before.run.step + 3000 ? true : undefined));
      const steps = (await server.store.training.metrics(id)).map((m) => m.step);
      assert.deepEqual(
        steps.filter((s, i) => i > 0 && s !== steps[i - 1]! + 1),
        [],
        "no metric gaps across the move",
      );
    } finally {
      for (const a of agents) a.kill("SIGKILL");
      await server.close();
      await s3.close();
    }
  });
});
