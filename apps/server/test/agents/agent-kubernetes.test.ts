import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { startFakeKubernetes } from "@benih/fake-upstreams";
import { startServer } from "../harness.ts";
import { until } from "../until.ts";
import { agentCommand, cnNorthTraining } from "../training-config.ts";

// Trainers started here use one thread each: several run at once, beside the other test files.
process.env.BENIH_TRAINER_THREADS ??= "1";

// A regional agent whose trainers are Kubernetes Jobs, against a loopback server speaking the Kubernetes API (its
// kubelet runs each pod's `benih train` as a process here). Checkpoint-now and pause reach the pod through the run
// folder, which the pod mounts from the region's volume claim.
const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "benih-k8s-"));
const yaml = cnNorthTraining(5);
let agent: ChildProcess | undefined;
after(() => {
  agent?.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("the Kubernetes Job executor", () => {
  it("runs a run as a Job on its placed node with its accelerators; logs, checkpoint-now, pause, resume (a new Job) and stop work", async () => {
    const k8s = await startFakeKubernetes({
      token: "k8s-token-0001",
      nodes: ["h20-a", "h20-b"],
      entrypoints: { benih: [process.execPath, bin] },
      gracePeriodSeconds: 10,
    });
    const server = await startServer({ yaml });
    try {
      const kubeconfig = join(root, "kubeconfig");
      writeFileSync(
        kubeconfig,
        `apiVersion: v1
kind: Config
clusters: [{ name: fake, cluster: { server: "${k8s.url}", insecure-skip-tls-verify: true } }]
users: [{ name: agent, user: { token: k8s-token-0001 } }]
contexts: [{ name: fake, context: { cluster: fake, user: agent, namespace: training } }]
current-context: fake
`,
      );
      const runs = join(root, "runs");
      // Periodic checkpoints so rare that any checkpoint seen is a checkpoint-now or a pause.
      agent = spawn(
        process.execPath,
        agentCommand({
          url: server.url,
          cluster: "bj-k8s",
          nodes: ["h20-a=H20:8", "h20-b=H20:2"],
          runs,
          checkpointEvery: 1_000_000,
          more: [
            "--executor",
            "kubernetes",
            "--kubeconfig",
            kubeconfig,
            "--kube-namespace",
            "training",
            "--kube-image",
            "benih:test",
            "--kube-volume-claim",
            "cn-north-runs",
          ],
        }),
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      agent.stderr!.on("data", (d: Buffer) => process.env.BENIH_AGENT_LOG && process.stderr.write(`[agent] ${d}`));
      const api = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(server.url + path, {
          method,
          headers: body ? { "content-type": "application/json" } : {},
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
      };
      await until("the agent", async () => ((await api("GET", "/control/v1/fleet")).json.clusters.length === 1 ? true : undefined));

      const created = await api("POST", "/control/v1/runs", { recipe: "micro", dataset: "cn-chat", steps: 2_000_000, count: 4 });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const id = created.json.id as string;
      assert.equal(created.json.placement.placed.node, "h20-a", "the node with 4 free H20s");
      const show = async () =>
        (await api("GET", `/control/v1/runs/${id}`)).json as {
          run: { state: string; step: number };
          checkpoints: Array<{ step: number; location: string }>;
        };
      await until("steps from the pod", async () => ((await show()).run.step > 50 ? true : undefined));

      const [job] = k8s.jobs();
      assert.equal(job!.name, `benih-${id}-1`);
      const pod = job!.manifest.spec.template.spec;
      assert.deepEqual(pod.nodeSelector, { "kubernetes.io/hostname": "h20-a" });
      assert.deepEqual(pod.containers[0].resources.limits, { "nvidia.com/gpu": "4" });
      assert.deepEqual(pod.containers[0].volumeMounts, [{ name: "runs", mountPath: runs }]);
      assert.deepEqual(pod.volumes, [{ name: "runs", persistentVolumeClaim: { claimName: "cn-north-runs" } }]);
      assert.deepEqual(pod.containers[0].command.slice(0, 6), ["benih", "train", "--recipe", "micro", "--dataset", "cn"]);

      const logs = await until("the pod's log lines", async () => {
        const lines = (await api("GET", `/control/v1/runs/${id}/logs`)).json.lines as Array<{ attempt: number; text: string }>;
        return lines.some((l) => /^step \d+\/2000000 {2}loss/.test(l.text)) ? lines : undefined;
      });
      assert.match(logs[0]!.text, /^starting on the /);

      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "checkpoint" })).status, 202);
      const first = await until("a checkpoint-now", async () => (await show()).checkpoints[0]);
      assert.equal((await show()).run.state, "running", "checkpoint-now keeps it training");

      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "pause" })).status, 202);
      const paused = await until("paused", async () => {
        const s = await show();
        return s.run.state === "paused" ? s : undefined;
      });
      assert.ok(
        paused.checkpoints.at(-1)!.step > first.step && paused.checkpoints.at(-1)!.step >= paused.run.step - 1,
        "the pod checkpointed before it ended",
      );
      assert.equal(k8s.jobs()[0]!.phase, "Succeeded", "pause ends the Job cleanly and frees the node");

      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "resume" })).status, 202);
      await until("the second attempt's Job", async () => (k8s.jobs().length === 2 ? true : undefined));
      await until("progress past the pause", async () => ((await show()).run.step > paused.run.step + 50 ? true : undefined));
      assert.deepEqual(
        k8s.jobs().map((j) => [j.name, j.deleted]),
        [
          [`benih-${id}-1`, true],
          [`benih-${id}-2`, false],
        ],
        "the earlier attempt's Job is cleaned up",
      );
      const resumedLog = (await api("GET", `/control/v1/runs/${id}/logs?limit=5000`)).json.lines as Array<{
        attempt: number;
        text: string;
      }>;
      assert.ok(
        resumedLog.some((l) => l.attempt === 2 && l.text.startsWith(`resuming at step ${paused.checkpoints.at(-1)!.step} on the`)),
        "the second attempt's log follows the first",
      );

      assert.equal((await api("POST", `/control/v1/runs/${id}/commands`, { command: "stop" })).status, 202);
      await until("stopped", async () => ((await show()).run.state === "stopped" ? true : undefined));
      const steps = (await server.store.training.metrics(id)).map((m) => m.step);
      assert.deepEqual(
        steps.filter((s, i) => i > 0 && s !== steps[i - 1]! + 1),
        [],
        "no metric gaps across pause and resume",
      );
    } finally {
      agent?.kill("SIGKILL");
      await server.close();
      await k8s.close();
    }
  });
});
