import { hostname } from "node:os";
import { resolve } from "node:path";
import { RegionalAgent, S3Storage, type Executor } from "@benih/control";
import { benihTrainers, trainArgs } from "../training-agent.ts";
import { UsageError } from "./args.ts";
import type { Input } from "./command.ts";
import type { agent as spec } from "./commands.ts";

/**
 * `benih agent`: a regional agent. It offers its nodes to the control plane and trains the runs placed on it with
 * `benih train`, in --runs DIR (the region's storage: share it between the region's agents so a run resumes on
 * another one after a failure). SIGTERM pauses its runs (they checkpoint) and exits.
 */
export async function agentCommand({ values, env }: Input<typeof spec.options>): Promise<void> {
  const region = values.region;
  const url = values["control-plane"] ?? env.BENIH_CONTROL_PLANE;
  const token = values.token ?? env.BENIH_AGENT_TOKEN;
  if (!region || !url || !token)
    throw new UsageError(`missing ${[!region && "--region", !url && "--control-plane", !token && "--token"].filter(Boolean).join(", ")}`);
  const every = Number(values["checkpoint-every"]);
  if (!Number.isInteger(every) || every < 1) throw new UsageError("--checkpoint-every takes a positive integer");
  const nodes = (values.node ?? ["cpu=CPU:1"]).map((node) => {
    const m = /^([\w.-]+)=([\w.-]+):(\d+)$/.exec(node);
    if (!m) throw new UsageError(`--node ${node}: use ID=ACCELERATOR:COUNT, e.g. gpu0=H20:8`);
    return { id: m[1]!, accelerator: m[2]!, count: Number(m[3]), free: Number(m[3]) };
  });
  const runsDir = resolve(values.runs ?? resolve(env.BENIH_DATA_DIR ?? ".benih", "agent-runs"));
  let executor: Executor;
  if (values.executor === "local") executor = benihTrainers();
  else if (values.executor === "kubernetes") {
    const image = values["kube-image"];
    const volumeClaim = values["kube-volume-claim"];
    if (!image || !volumeClaim)
      throw new UsageError(
        "--executor kubernetes needs --kube-image (an image whose entrypoint is benih) and --kube-volume-claim (the PVC holding --runs)",
      );
    // Imported only here: the Kubernetes client is large, and nothing else in benih needs it.
    const { KubernetesExecutor, kubeConfigFrom } = await import("@benih/control/kubernetes");
    const kubeConfig = kubeConfigFrom({
      ...(values.kubeconfig && { kubeconfig: values.kubeconfig }),
      ...(values["kube-context"] && { context: values["kube-context"] }),
    });
    executor = new KubernetesExecutor({ kubeConfig, namespace: values["kube-namespace"]!, image, volumeClaim, runsDir });
  } else throw new UsageError(`--executor ${values.executor}: use local or kubernetes`);
  let checkpoints: S3Storage | undefined;
  if (values.checkpoints) {
    const endpoint = values["s3-endpoint"] ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!endpoint || !accessKeyId || !secretAccessKey)
      throw new UsageError(
        "--checkpoints s3://… needs --s3-endpoint (the region's S3-compatible service) and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
      );
    checkpoints = new S3Storage({
      url: values.checkpoints,
      endpoint,
      accessKeyId,
      secretAccessKey,
      ...(values["s3-region"] && { region: values["s3-region"] }),
    });
  }
  const agent = new RegionalAgent({
    controlPlane: url,
    token,
    cluster: { id: values.cluster ?? `${region}-${hostname()}`, region, operator: values.operator!, nodes },
    runsDir,
    executor,
    ...(checkpoints && { checkpoints }),
    trainArgs: trainArgs(every),
  });
  process.once("SIGTERM", () => agent.close());
  process.once("SIGINT", () => agent.close());
  await agent.run();
}
