import { fileURLToPath } from "node:url";

/**
 * benih.yaml's training section for one region, cn-north, where only H20s are allowed and the cn dataset (with
 * personal information) lives: what most control-plane tests need, with their own heartbeat timeout.
 */
export const cnNorthTraining = (heartbeatTimeoutSeconds: number) => `
training:
  heartbeatTimeoutSeconds: ${heartbeatTimeoutSeconds}
  agents:
    - { region: cn-north, token: agent-token-cn-north-0001 }
  datasets:
    - { id: cn-chat, market: cn, region: cn-north, source: cn, flags: [personal-information] }
  rules:
    accelerators:
      - { regions: [cn-north], allow: [H20], effective: "2023-10-17", source: "US export controls, 2023-10-17" }
    preference: [cn-north]
`;

/**
 * Three regions, each with its agents' token: cn-north (H20s only, where the cn dataset lives), my-johor (the global
 * dataset's) and sg; `preference` orders them for placement.
 */
export const threeRegionTraining = (heartbeatTimeoutSeconds: number, preference = "cn-north, my-johor, sg") => `
training:
  heartbeatTimeoutSeconds: ${heartbeatTimeoutSeconds}
  agents:
    - { region: cn-north, token: agent-token-cn-north-0001 }
    - { region: my-johor, token: agent-token-my-johor-0001 }
    - { region: sg, token: agent-token-sg-000000001 }
  datasets:
    - { id: cn-chat, market: cn, region: cn-north, source: cn, flags: [personal-information] }
    - { id: global-chat, market: global, region: my-johor, source: global }
  rules:
    accelerators:
      - { regions: [cn-north], allow: [H20], effective: "2023-10-17", source: "US export controls, 2023-10-17" }
    preference: [${preference}]
`;

const bin = fileURLToPath(new URL("../bin/benih.mjs", import.meta.url));

/** The control plane's API at `url` as an admin calls it (a server whose admin routes need no key). */
export const controlApi = (url: string) => async (method: string, path: string, body?: unknown) => {
  const res = await fetch(url + path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
};

/** The command line of a real `benih agent` process (run it with process.execPath), by default cn-north's. */
export function agentCommand(o: {
  url: string;
  cluster: string;
  nodes: string[];
  runs: string;
  checkpointEvery: number;
  region?: string;
  token?: string;
  /** Further options, e.g. the executor's or checkpoint storage's. */
  more?: string[];
}): string[] {
  return [
    bin,
    "agent",
    ...["--region", o.region ?? "cn-north", "--control-plane", o.url, "--token", o.token ?? "agent-token-cn-north-0001"],
    ...["--cluster", o.cluster, ...o.nodes.flatMap((n) => ["--node", n]), "--runs", o.runs],
    ...["--checkpoint-every", String(o.checkpointEvery), ...(o.more ?? [])],
  ];
}
