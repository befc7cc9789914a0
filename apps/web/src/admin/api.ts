// The control plane's admin API (/control/v1), as the dashboard uses it. An admin key, when the server asks for
// one, is kept in this browser and sent as a bearer token.
export interface Point {
  step: number;
  value: number;
}
export interface Candidate {
  cluster: string;
  region: string;
  reasons: string[];
  node?: string;
}
export interface Placement {
  placed?: { cluster: string; region: string; node: string; accelerator: string };
  candidates: Candidate[];
  summary: string;
}
export interface Run {
  id: string;
  created_at: number;
  updated_at: number;
  recipe: string;
  dataset: string;
  market: string;
  state: string;
  steps: number;
  step: number;
  cluster: string | null;
  node: string | null;
  accelerator: string | null;
  requested_accelerator: string | null;
  accelerators: number;
}
export interface RunDetail {
  run: Run & { placement: Placement };
  events: Array<{ seq: number; at: number; from_state: string | null; to_state: string; reason: string }>;
  checkpoints: Array<{ step: number; at: number; location: string; bytes: number }>;
}
export interface Series {
  points: number;
  loss: Point[];
  lr: Point[];
  tokensPerSecond: Point[];
}
export interface LogLine {
  attempt: number;
  offset: number;
  at: number;
  text: string;
}
export interface Cluster {
  id: string;
  region: string;
  operator: string;
  nodes: Array<{ id: string; accelerator: string; count: number; free: number }>;
}
export interface DatasetInfo {
  id: string;
  market: string;
  region: string;
  flags: string[];
}

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const KEY = "benih.adminKey";
export const setAdminKey = (key: string) => localStorage.setItem(KEY, key);
export const forgetAdminKey = () => localStorage.removeItem(KEY);

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const key = localStorage.getItem(KEY);
  const res = await fetch(path, {
    method,
    headers: { ...(key && { authorization: `Bearer ${key}` }), ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await res.json().catch(() => undefined)) as { error?: { message: string; details?: unknown } } | undefined;
  if (!res.ok) throw new AdminError(res.status, json?.error?.message ?? `HTTP ${res.status}`, json?.error?.details);
  return json as T;
}

export const api = {
  runs: () => call<{ runs: Run[] }>("GET", "/control/v1/runs"),
  run: (id: string) => call<RunDetail>("GET", `/control/v1/runs/${id}`),
  metrics: (id: string) => call<Series>("GET", `/control/v1/runs/${id}/metrics?buckets=400`),
  logs: (id: string) => call<{ lines: LogLine[] }>("GET", `/control/v1/runs/${id}/logs?limit=300`),
  command: (id: string, command: string) => call<{ accepted: boolean }>("POST", `/control/v1/runs/${id}/commands`, { command }),
  create: (body: { recipe: string; dataset: string; steps: number; accelerator?: string; count?: number }) => call<{ id: string; placement: Placement }>("POST", "/control/v1/runs", body),
  fleet: () => call<{ clusters: Cluster[] }>("GET", "/control/v1/fleet"),
  datasets: () => call<{ datasets: DatasetInfo[]; recipes: string[] }>("GET", "/control/v1/datasets"),
};
