import { hostname } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RegionalAgent } from "@benih/control";
import { parse, UsageError } from "./args.ts";

const USAGE = "usage: benih agent --region R --control-plane URL --token T [--cluster ID] [--operator NAME] [--node ID=ACCELERATOR:COUNT ...] [--runs DIR] [--checkpoint-every N]";
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
  const agent = new RegionalAgent({
    controlPlane: url,
    token,
    cluster: { id: values.cluster ?? `${region}-${hostname()}`, region, operator: values.operator!, nodes },
    runsDir: resolve(values.runs ?? resolve(env.BENIH_DATA_DIR ?? ".benih", "agent-runs")),
    trainCommand: (c, dir) => ({
      command: process.execPath,
      args: [bin, "train", "--recipe", c.recipe, "--dataset", c.source, "--steps", String(c.steps), "--out", dir, "--checkpoint-every", String(every)],
    }),
  });
  process.once("SIGTERM", () => agent.close());
  process.once("SIGINT", () => agent.close());
  await agent.run();
}
