import { appendFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BatchV1Api, CoreV1Api, KubeConfig, type V1EnvVar, type V1Job, type V1Pod } from "@kubernetes/client-node";
import { logFileOf, type Execution, type Executor, type TrainSpec } from "./executor.ts";

export interface KubernetesOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** An image whose entrypoint is `benih` (this repository's server image). */
  image: string;
  /**
   * The PersistentVolumeClaim holding the region's run storage, mounted in the pod at the agent's own path for
   * it, so the trainer and the agent see the same run folder.
   */
  volumeClaim: string;
  runsDir: string;
  /** How often the Job's state and its pod's log are read. */
  pollMs?: number;
  /** Labels a node carries its id in (defaults to the node's host name label). */
  nodeLabel?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RUN_LABEL = "benih.dev/run";
const INDEX_LABEL = "batch.kubernetes.io/job-completion-index";
/** Where rank 0 of a multi-node run listens for the others (torchrun's default port). */
const RENDEZVOUS_PORT = 29500;
const dns1123 = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 52);

/**
 * Trainers as Kubernetes Jobs: one Job per attempt, pinned to the placed node and asking for its accelerators. A
 * command recipe over several nodes is an Indexed Job, one pod per node (never two on one), with a headless Service
 * so that every pod reaches rank 0 by name, and the environment torchrun reads for its rendezvous (PET_NNODES,
 * PET_NODE_RANK, PET_MASTER_ADDR, PET_MASTER_PORT, PET_NPROC_PER_NODE; MASTER_ADDR, MASTER_PORT, NODE_RANK).
 * No signal reaches a pod from here, so checkpoint-now and pause/stop are written as a `request` file into the run
 * folder, which the trainer reads after every step. Before an attempt starts, Jobs of the run's earlier attempts
 * are deleted: an agent that was thought lost may have left one running, and two trainers must never share a run.
 */
export class KubernetesExecutor implements Executor {
  readonly kind = "kubernetes";
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;

  constructor(private readonly o: KubernetesOptions) {
    this.batch = o.kubeConfig.makeApiClient(BatchV1Api);
    this.core = o.kubeConfig.makeApiClient(CoreV1Api);
  }

  private async deleteJob(name: string): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({ name, namespace: this.o.namespace, propagationPolicy: "Background" });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    await this.deleteService(name);
  }

  /** A multi-node attempt's headless Service, gone with its Job. */
  private async deleteService(name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedService({ name, namespace: this.o.namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }

  async start(spec: TrainSpec): Promise<Execution> {
    const { namespace } = this.o;
    const earlier = await this.batch.listNamespacedJob({ namespace, labelSelector: `${RUN_LABEL}=${spec.runId}` });
    for (const job of earlier.items) await this.deleteJob(job.metadata!.name!);

    const name = `benih-${dns1123(spec.runId)}-${spec.attempt}`;
    const gpu = spec.accelerator !== "CPU";
    const nodes = spec.trainer?.nodes ?? 1;
    const labels = { [RUN_LABEL]: spec.runId, "benih.dev/attempt": String(spec.attempt) };
    const env: V1EnvVar[] = Object.entries(spec.env).map(([k, value]) => ({ name: k, value }));
    if (nodes > 1) {
      const rank = { valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${INDEX_LABEL}']` } } };
      const master = `${name}-0.${name}`; // the pod of index 0, by its hostname under the headless Service
      env.push(
        ...[
          ["PET_NNODES", String(nodes)],
          ["PET_NPROC_PER_NODE", String(spec.count)],
          ["PET_MASTER_ADDR", master],
          ["PET_MASTER_PORT", String(RENDEZVOUS_PORT)],
          ["MASTER_ADDR", master],
          ["MASTER_PORT", String(RENDEZVOUS_PORT)],
        ].map(([k, value]) => ({ name: k!, value: value! })),
        { name: "PET_NODE_RANK", ...rank },
        { name: "NODE_RANK", ...rank },
      );
    }
    const body: V1Job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name, labels },
      spec: {
        backoffLimit: 0, // a failed attempt is reported, and the control plane decides what happens next
        ttlSecondsAfterFinished: 3600,
        ...(nodes > 1 && { completionMode: "Indexed", completions: nodes, parallelism: nodes }),
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            // One node: the placed one. Several: Kubernetes picks nodes with the accelerators free, one pod each.
            ...(nodes > 1
              ? {
                  subdomain: name,
                  affinity: {
                    podAntiAffinity: {
                      requiredDuringSchedulingIgnoredDuringExecution: [
                        { labelSelector: { matchLabels: { "job-name": name } }, topologyKey: "kubernetes.io/hostname" },
                      ],
                    },
                  },
                }
              : { nodeSelector: { [this.o.nodeLabel ?? "kubernetes.io/hostname"]: spec.node } }),
            containers: [
              {
                name: "trainer",
                image: spec.trainer?.image ?? this.o.image,
                command: spec.trainer ? spec.trainer.command : ["benih", ...spec.args],
                ...(spec.trainer && { workingDir: spec.dir }),
                env,
                ...(gpu && { resources: { limits: { "nvidia.com/gpu": String(spec.count) } } }),
                volumeMounts: [{ name: "runs", mountPath: this.o.runsDir }],
              },
            ],
            volumes: [{ name: "runs", persistentVolumeClaim: { claimName: this.o.volumeClaim } }],
          },
        },
      },
    };
    const created = await this.batch.createNamespacedJob({ namespace, body });
    if (nodes > 1) {
      // Owned by the Job: Kubernetes deletes it with the Job (by its TTL too), whatever becomes of this agent.
      const owner = { apiVersion: "batch/v1", kind: "Job", name, uid: created.metadata!.uid!, blockOwnerDeletion: true };
      await this.core.createNamespacedService({
        namespace,
        body: {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name, labels, ownerReferences: [owner] },
          spec: { clusterIP: "None", selector: { "job-name": name }, ports: [{ name: "rendezvous", port: RENDEZVOUS_PORT }] },
        },
      });
    }

    let logged = 0; // characters of the pod's log already in the log file
    const logFile = join(spec.dir, logFileOf(spec));
    // Rank 0's pod: the one that writes metrics and checkpoints, and whose log is the attempt's.
    const first = (pods: V1Pod[]) =>
      pods.find((p) => (p.metadata?.annotations?.[INDEX_LABEL] ?? p.metadata?.labels?.[INDEX_LABEL] ?? "0") === "0") ?? pods[0];
    const collectLogs = async () => {
      const pods = await this.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
      const pod = first(pods.items);
      if (!pod || pod.status?.phase === "Pending") return;
      const text = await this.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace, container: "trainer" });
      if (text.length > logged) {
        appendFileSync(logFile, text.slice(logged));
        logged = text.length;
      }
    };
    const exitCode = async (): Promise<number | null> => {
      const pods = await this.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
      const codes = pods.items.map((p) => p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode);
      return codes.find((c) => c !== undefined && c !== 0) ?? codes.find((c) => c !== undefined) ?? null;
    };
    let killed = false;
    const ended = (async (): Promise<{ code: number | null; detail: string }> => {
      for (;;) {
        await sleep(this.o.pollMs ?? 1000);
        if (killed) return { code: null, detail: "the Job was deleted" };
        let job: V1Job;
        try {
          job = await this.batch.readNamespacedJob({ name, namespace });
        } catch (err) {
          if ((err as { code?: number }).code === 404) return { code: null, detail: `Job ${name} was deleted by someone else` };
          continue; // the API server is briefly unreachable: ask again
        }
        const s = job.status ?? {};
        if ((s.succeeded ?? 0) < nodes && !s.failed) continue;
        await collectLogs().catch(() => {});
        if (!s.failed) return { code: 0, detail: "" };
        const code = await exitCode().catch(() => null);
        const why = s.conditions?.find((c) => c.type === "Failed")?.message ?? `exit code ${code ?? "unknown"}`;
        return { code: code ?? 1, detail: `Job ${name} failed: ${why}` };
      }
    })().then(async (end) => {
      if (nodes > 1) await this.deleteService(name).catch(() => {});
      return end;
    });
    let requests = 0;
    // Written whole under another name, then renamed into place: the trainer polls for `request` and reads it once, so
    // it must never find it created but still empty (that request would be read as "" and lost).
    const request = async (what: "checkpoint" | "stop") => {
      const partial = join(spec.dir, `request.${process.pid}.${++requests}`);
      writeFileSync(partial, what);
      renameSync(partial, join(spec.dir, "request"));
    };
    return {
      ended,
      collectLogs,
      checkpoint: () => request("checkpoint"),
      finish: () => request("stop"),
      kill: async () => {
        killed = true;
        await this.deleteJob(name);
      },
    };
  }
}

/** A KubeConfig from the agent's flags: a kubeconfig file, the pod's service account, or the default places. */
export function kubeConfigFrom(o: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromDefault();
  if (o.context) kc.setCurrentContext(o.context);
  return kc;
}
