// The control plane's admin API (/control/v1), the server's setup, readers' ratings of answers and a market's people,
// usage and audit log, as the admin pages use them; their shapes are @benih/contracts' views.
// Who asks: an admin key pasted here (kept in this browser, sent as a bearer token), else what the chat app sends (the
// person's own key, or the session cookie with its CSRF token for changes).
import type {
  AdminAuditView,
  AnnotateRun,
  DatasetReport,
  PromoteRun,
  PromotionList,
  PromotionView,
  RollbackModel,
  CreateRun,
  DatasetsView,
  FeedbackView,
  FleetView,
  InvitationView,
  LogTail,
  MeView,
  MetricSeries,
  PersonPatch,
  PersonRole,
  PersonView,
  PlacementDecision,
  RunCreated,
  RunDetail,
  RunList,
  RunView,
  SettingsView,
  UsageRow,
} from "@benih/contracts";
import { whoami } from "../api/account.ts";
import { authHeaders } from "../api/http.ts";

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly code?: string,
  ) {
    super(message);
  }
}

const KEY = "benih.adminKey";
export const setAdminKey = (key: string) => localStorage.setItem(KEY, key);
export const forgetAdminKey = () => localStorage.removeItem(KEY);
export const hasAdminKey = () => !!localStorage.getItem(KEY);

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** The pasted admin key wins over the chat app's key: on a server each decides alone who is asking. */
function headersFor(method: Method): Record<string, string> {
  const key = localStorage.getItem(KEY);
  return { ...authHeaders(method), ...(key && { authorization: `Bearer ${key}` }) };
}

// Opened straight at /admin, the page has not asked /v1/me as the chat app does, so the session's CSRF token is not
// known yet: a change sent without it asks first (as does the people page, to know who "you" is).
/** The signed-in person, or null (no session, a server without accounts); keeps the session's CSRF token. */
export const signedIn = (): Promise<MeView | null> => whoami().then((who) => (who.kind === "me" ? who.me : null));

/** A change sent with the session cookie alone, without its token yet. */
function needsToken(method: Method): boolean {
  const h = headersFor(method);
  return method !== "GET" && !("authorization" in h) && !("x-csrf-token" in h);
}

async function send(method: Method, path: string, body?: unknown): Promise<Response> {
  if (needsToken(method)) await signedIn();
  return fetch(path, {
    method,
    headers: { ...headersFor(method), ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

async function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let res = await send(method, path, body);
  let json = await jsonOf(res);
  // A token from before a sign-in in another tab: ask for the session's own and send the change once more.
  if (res.status === 403 && json?.error?.code === "csrf_token" && !hasAdminKey()) {
    await signedIn();
    res = await send(method, path, body);
    json = await jsonOf(res);
  }
  if (!res.ok) throw new AdminError(res.status, json?.error?.message ?? `HTTP ${res.status}`, json?.error?.details, json?.error?.code);
  return (res.status === 204 ? undefined : json) as T;
}

type ErrorBody = { error?: { message: string; details?: unknown; code?: string } } | undefined;
const jsonOf = (res: Response) => res.json().catch(() => undefined) as Promise<ErrorBody>;

/**
 * Saves what `path` answers as a file. A plain link would send the session cookie but not a key, so the bytes are
 * fetched with the headers and handed to the browser as a blob.
 */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: headersFor("GET") });
  if (!res.ok) {
    const json = await jsonOf(res);
    throw new AdminError(res.status, json?.error?.message ?? `HTTP ${res.status}`, undefined, json?.error?.code);
  }
  const url = URL.createObjectURL(await res.blob());
  Object.assign(document.createElement("a"), { href: url, download: filename }).click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Whether a plain link to an admin route is let in: the cookie goes with it, a key in this browser does not. */
export const linkCarriesAuth = () => !hasAdminKey() && !("authorization" in authHeaders("GET"));

const q = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (v === undefined || v === "" ? [] : [[k, String(v)]]))).toString();

/** Uploads a dataset file for a market: its region's agent checks and keeps it; a refusal carries its report as details. */
export async function uploadDataset(query: { market: string; name: string; split: string }, file: Blob): Promise<DatasetReport> {
  if (needsToken("POST")) await signedIn();
  const res = await fetch(`/control/v1/datasets?${q(query)}`, {
    method: "POST",
    headers: { ...headersFor("POST"), "content-type": "application/x-ndjson" },
    body: file,
  });
  const json = (await res.json().catch(() => undefined)) as (ErrorBody & Partial<DatasetReport>) | undefined;
  if (!res.ok) throw new AdminError(res.status, json?.error?.message ?? `HTTP ${res.status}`, json?.error?.details, json?.error?.code);
  return json as DatasetReport;
}

export const api = {
  runs: () => call<RunList>("GET", "/control/v1/runs"),
  run: (id: string) => call<RunDetail>("GET", `/control/v1/runs/${id}`),
  metrics: (id: string) => call<MetricSeries>("GET", `/control/v1/runs/${id}/metrics?buckets=400`),
  logs: (id: string) => call<LogTail>("GET", `/control/v1/runs/${id}/logs?limit=300`),
  command: (id: string, command: string) => call<{ accepted: boolean }>("POST", `/control/v1/runs/${id}/commands`, { command }),
  create: (body: CreateRun) => call<RunCreated>("POST", "/control/v1/runs", body),
  /** Where a run would go now, and why not elsewhere: nothing is created. */
  preview: (body: CreateRun) => call<PlacementDecision>("POST", "/control/v1/placements", body),
  annotate: (id: string, body: AnnotateRun) => call<RunView>("PATCH", `/control/v1/runs/${id}`, body),
  /** Serves the succeeded run's model in its market under the market's chat model id, without a restart. */
  promote: (id: string, body: PromoteRun) => call<PromotionView>("POST", `/control/v1/runs/${id}/promote`, body),
  rollback: (body: RollbackModel) => call<PromotionView>("POST", "/control/v1/promotions/rollback", body),
  promotions: () => call<PromotionList>("GET", "/control/v1/promotions"),
  fleet: () => call<FleetView>("GET", "/control/v1/fleet"),
  datasets: () => call<DatasetsView>("GET", "/control/v1/datasets"),
  /** What this server has set up for this host's market (with the admin's key, which a person's route takes too). */
  settings: () => call<SettingsView>("GET", "/v1/settings"),
  /** The answers of this host's market rated `rating`, newest first, at most `limit` (the server's most is 200). */
  feedback: (rating: "up" | "down", limit: number) => call<{ data: FeedbackView[] }>("GET", `/v1/feedback?rating=${rating}&limit=${limit}`),
  /** This market's people whose email or name holds `query`, newest first. */
  people: (query: string, limit: number, offset: number) =>
    call<{ data: PersonView[] }>("GET", `/v1/admin/people?${q({ q: query.trim(), limit, offset })}`).then((r) => r.data),
  updatePerson: (id: string, patch: PersonPatch) => call<PersonView>("PATCH", `/v1/admin/people/${encodeURIComponent(id)}`, patch),
  invite: (body: { email?: string; role: PersonRole }) => call<InvitationView>("POST", "/v1/admin/invitations", body),
  /** This market's use over the last `days` UTC days (today included), per day, model and person. */
  usage: (days: number) => call<{ data: UsageRow[] }>("GET", `/v1/admin/usage?${q({ days })}`).then((r) => r.data),
  usageCsv: (days: number) => `/v1/admin/usage?${q({ days, format: "csv" })}`,
  /** What this market's admins did, newest first; `before` (ms) pages back. */
  audit: (limit: number, before?: number) =>
    call<{ data: AdminAuditView[] }>("GET", `/v1/admin/audit?${q({ limit, before })}`).then((r) => r.data),
};
