import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { startFakeKubernetes } from "@benih/fake-upstreams";
import { startServer } from "../harness.ts";
import { until } from "../until.ts";
import { agentCommand, cnNorthTraining, controlApi } from "../training-config.ts";

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

/** A kubeconfig for the fake API server, as an agent's --kubeconfig. */
function kubeconfigFor(k8sUrl: string): string {
  const file = join(root, "kubeconfig");
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: fake, cluster: { server: "${k8sUrl}", insecure-skip-tls-verify: true } }]
users: [{ name: agent, user: { token: k8s-token-0001 } }]
contexts: [{ name: fake, context: { cluster: fake, user: agent, namespace: training } }]
current-context: fake
`,
  );
  return file;
}

/** A `benih agent` of cn-north whose trainers are Jobs on the fake cluster's two H20 nodes. */
function kubeAgent(serverUrl: string, k8sUrl: string, runs: string): ChildProcess {
  const p = spawn(
    process.execPath,
    agentCommand({
      url: serverUrl,
      cluster: "bj-k8s",
      nodes: ["h20-a=H20:8", "h20-b=H20:2"],
      runs,
      // Periodic checkpoints so rare that any checkpoint seen is a checkpoint-now or a pause.
      checkpointEvery: 1_000_000,
      more: [
        ...["--executor", "kubernetes", "--kubeconfig", kubeconfigFor(k8sUrl), "--kube-namespace", "training"],
        ...["--kube-image", "benih:test", "--kube-volume-claim", "cn-north-runs"],
      ],
    }),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  p.stderr!.on("data", (d: Buffer) => process.env.BENIH_AGENT_LOG && process.stderr.write(`[agent] ${d}`));
  return p;
}

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
      const runs = join(root, "runs");
      agent = kubeAgent(server.url, k8s.url, runs);
      const api = controlApi(server.url);
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
  it("runs a two-node command recipe as an Indexed Job: one pod per node, a headless Service, torchrun's rendezvous environment", async () => {
    const trainer = fileURLToPath(new URL("../../../../docs/command-trainer.py", import.meta.url));
    const k8s = await startFakeKubernetes({ token: "k8s-token-0001", nodes: ["h20-a", "h20-b"], entrypoints: {}, gracePeriodSeconds: 10 });
    const server = await startServer({
      yaml: `${yaml}  recipes:
    - name: toy-ddp
      kind: command
      image: team/toy-trainer:1.0
      command: [python3, "${trainer}", --step-seconds, "0.01"]
      env: { NCCL_DEBUG: INFO }
      accelerator: { type: H20, count: 2, nodes: 2 }
`,
    });
    const runs = join(root, "runs-ddp");
    const twoNodes = kubeAgent(server.url, k8s.url, runs);
    try {
      const api = controlApi(server.url);
      await until("the agent", async () => ((await api("GET", "/control/v1/fleet")).json.clusters.length === 1 ? true : undefined));
      const created = await api("POST", "/control/v1/runs", { recipe: "toy-ddp", dataset: "cn-chat", steps: 300 });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const id = created.json.id as string;
      const name = `benih-${id}-1`;
      await until("the Job", async () => (k8s.jobs().length ? true : undefined));
      const [job] = k8s.jobs();
      const spec = job!.manifest.spec;
      assert.deepEqual([spec.completionMode, spec.completions, spec.parallelism], ["Indexed", 2, 2]);
      assert.equal(spec.template.spec.subdomain, name);
      assert.equal(spec.template.spec.nodeSelector, undefined, "not both pods on the placed node");
      assert.deepEqual(
        spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey,
        "kubernetes.io/hostname",
      );
      const container = spec.template.spec.containers[0];
      assert.equal(container.image, "team/toy-trainer:1.0");
      assert.deepEqual(container.command, ["python3", trainer, "--step-seconds", "0.01"]);
      assert.deepEqual(container.resources.limits, { "nvidia.com/gpu": "2" });
      await until("the Service", async () => (k8s.services().length ? true : undefined));
      assert.deepEqual(
        k8s
          .services()
          .map((sv) => [sv.name, sv.manifest.spec.clusterIP, sv.manifest.spec.selector, sv.manifest.metadata.ownerReferences[0].uid]),
        [[name, "None", { "job-name": name }, job!.uid]],
        "a headless Service, owned by the Job, names the pods for the rendezvous",
      );

      // Each pod, on a node of its own, got its rank and where rank 0 listens.
      const pods = job!.pods;
      assert.deepEqual(
        pods.map((p) => [p.node, p.hostname, p.started!.cwd]),
        [
          ["h20-a", `${name}-0`, join(runs, id)],
          ["h20-b", `${name}-1`, join(runs, id)],
        ],
      );
      for (const [rank, pod] of pods.entries()) {
        const env = pod.started!.env;
        assert.deepEqual(
          [env.PET_NODE_RANK, env.NODE_RANK, env.JOB_COMPLETION_INDEX, env.PET_NNODES, env.PET_NPROC_PER_NODE],
          [String(rank), String(rank), String(rank), "2", "2"],
        );
        assert.deepEqual([env.PET_MASTER_ADDR, env.PET_MASTER_PORT, env.MASTER_ADDR], [`${name}-0.${name}`, "29500", `${name}-0.${name}`]);
        assert.deepEqual([env.NCCL_DEBUG, env.BENIH_RUN_DIR, env.BENIH_STEPS, env.BENIH_NODES], ["INFO", join(runs, id), "300", "2"]);
      }

      const done = await until("the run to succeed", async () => {
        const d = (await api("GET", `/control/v1/runs/${id}`)).json;
        return d.run.state === "succeeded" ? d : undefined;
      });
      assert.equal(done.run.step, 300);
      assert.deepEqual(
        done.scores.map((s: { name: string }) => s.name),
        ["b error", "last loss", "w error"],
        "the trainer's scores.json, sent on by the agent",
      );
      const lines = readFileSync(join(runs, id, "metrics.jsonl"), "utf8")
        .trim()
        .split("\n");
      assert.equal(lines.length, 300, "rank 0 alone writes the metrics");
      const log = (await api("GET", `/control/v1/runs/${id}/logs`)).json.lines.map((l: { text: string }) => l.text);
      assert.match(log[0], new RegExp(`rank 0 of 2 node\\(s\\) \\(rendezvous ${name}-0\\.${name}:29500\\)`));
      await until("the Service gone with the Job", async () => (k8s.services().length === 0 ? true : undefined));
    } finally {
      twoNodes.kill("SIGKILL");
      await server.close();
      await k8s.close();
    }
  });
});
