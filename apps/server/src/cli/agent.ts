import { hostname } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KubernetesExecutor, LocalExecutor, RegionalAgent, S3Storage, kubeConfigFrom, type Executor } from "@benih/control";
import { parse, UsageError } from "./args.ts";

const USAGE = `usage: benih agent --region R --control-plane URL --token T [--cluster ID] [--operator NAME]
         [--node ID=ACCELERATOR:COUNT ...] [--runs DIR] [--checkpoint-every N]
         [--executor local|kubernetes --kube-image IMAGE --kube-volume-claim PVC [--kube-namespace NS] [--kubeconfig FILE] [--kube-context NAME]]
         [--checkpoints s3://BUCKET/PREFIX --s3-endpoint URL [--s3-region R]]   (S3 keys: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)`;
const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));

/**
 * `benih agent`: a regional agent. It offers its nodes to the control plane and trains the runs placed on it with
 * `benih train`, in --runs DIR (the region's storage: share it between the region's agents so a run resumes on
 * another one after a failure). SIGTERM pauses its runs (they checkpoint) and exits.
 */
export async function agentCommand(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parse(args, {
    region: { type: "string" },
    "control-plane": { type: "string" },
    token: { type: "string" },
    cluster: { type: "string" },
    operator: { type: "string", default: "self" },
    node: { type: "string", multiple: true },
    runs: { type: "string" },
    "checkpoint-every": { type: "string", default: "50" },
    executor: { type: "string", default: "local" },
    "kube-namespace": { type: "string", default: "default" },
    "kube-image": { type: "string" },
    "kube-volume-claim": { type: "string" },
    kubeconfig: { type: "string" },
    "kube-context": { type: "string" },
    checkpoints: { type: "string" },
    "s3-endpoint": { type: "string" },
    "s3-region": { type: "string" },
  });
  const region = values.region;
  const url = values["control-plane"] ?? env.BENIH_CONTROL_PLANE;
  const token = values.token ?? env.BENIH_AGENT_TOKEN;
  if (!region || !url || !token) throw new UsageError(USAGE);
  const every = Number(values["checkpoint-every"]);
  if (!Number.isInteger(every) || every < 1) throw new UsageError("--checkpoint-every takes a positive integer");
  const nodes = (values.node ?? ["cpu=CPU:1"]).map((spec) => {
    const m = /^([\w.-]+)=([\w.-]+):(\d+)$/.exec(spec);
    if (!m) throw new UsageError(`--node ${spec}: use ID=ACCELERATOR:COUNT, e.g. gpu0=H20:8`);
    return { id: m[1]!, accelerator: m[2]!, count: Number(m[3]), free: Number(m[3]) };
  });
  const runsDir = resolve(values.runs ?? resolve(env.BENIH_DATA_DIR ?? ".benih", "agent-runs"));
  let executor: Executor;
  if (values.executor === "local") executor = new LocalExecutor({ file: process.execPath, prefix: [bin] });
  else if (values.executor === "kubernetes") {
    const image = values["kube-image"];
    const volumeClaim = values["kube-volume-claim"];
    if (!image || !volumeClaim) throw new UsageError("--executor kubernetes needs --kube-image (an image whose entrypoint is benih) and --kube-volume-claim (the PVC holding --runs)");
    const kubeConfig = kubeConfigFrom({ ...(values.kubeconfig && { kubeconfig: values.kubeconfig }), ...(values["kube-context"] && { context: values["kube-context"] }) });
    executor = new KubernetesExecutor({ kubeConfig, namespace: values["kube-namespace"]!, image, volumeClaim, runsDir });
  } else throw new UsageError(`--executor ${values.executor}: use local or kubernetes`);
  let checkpoints: S3Storage | undefined;
  if (values.checkpoints) {
    const endpoint = values["s3-endpoint"] ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!endpoint || !accessKeyId || !secretAccessKey) throw new UsageError("--checkpoints s3://… needs --s3-endpoint (the region's S3-compatible service) and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY");
    checkpoints = new S3Storage({ url: values.checkpoints, endpoint, accessKeyId, secretAccessKey, ...(values["s3-region"] && { region: values["s3-region"] }) });
  }
  const agent = new RegionalAgent({
    controlPlane: url,
    token,
    cluster: { id: values.cluster ?? `${region}-${hostname()}`, region, operator: values.operator!, nodes },
    runsDir,
    executor,
    ...(checkpoints && { checkpoints }),
    trainArgs: (c, dir) => ["train", "--recipe", c.recipe, "--dataset", c.source, "--steps", String(c.steps), "--out", dir, "--checkpoint-every", String(every)],
  });
  process.once("SIGTERM", () => agent.close());
  process.once("SIGINT", () => agent.close());
  await agent.run();
}
