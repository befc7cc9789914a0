// The control plane's admin API (/control/v1), the server's setup and readers' ratings of answers, as the admin pages
// use them; their shapes are @benih/contracts' views.
// An admin key, when the server asks for one, is kept in this browser and sent as a bearer token.
import type {
  CreateRun,
  DatasetsView,
  FeedbackView,
  FleetView,
  LogTail,
  MetricSeries,
  RunCreated,
  RunDetail,
  RunList,
  SettingsView,
} from "@benih/contracts";

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
  runs: () => call<RunList>("GET", "/control/v1/runs"),
  run: (id: string) => call<RunDetail>("GET", `/control/v1/runs/${id}`),
  metrics: (id: string) => call<MetricSeries>("GET", `/control/v1/runs/${id}/metrics?buckets=400`),
  logs: (id: string) => call<LogTail>("GET", `/control/v1/runs/${id}/logs?limit=300`),
  command: (id: string, command: string) => call<{ accepted: boolean }>("POST", `/control/v1/runs/${id}/commands`, { command }),
  create: (body: CreateRun) => call<RunCreated>("POST", "/control/v1/runs", body),
  fleet: () => call<FleetView>("GET", "/control/v1/fleet"),
  datasets: () => call<DatasetsView>("GET", "/control/v1/datasets"),
  /** What this server has set up for this host's market (with the admin's key, which a person's route takes too). */
  settings: () => call<SettingsView>("GET", "/v1/settings"),
  /** The answers of this host's market rated `rating`, newest first, at most `limit` (the server's most is 200). */
  feedback: (rating: "up" | "down", limit: number) => call<{ data: FeedbackView[] }>("GET", `/v1/feedback?rating=${rating}&limit=${limit}`),
};
