// The benih server's HTTP API, as the web app uses it: the market serving this host, its models, and the
// conversations, whose answers stream as server-sent events.
export interface MarketInfo {
  id: string;
  displayName: Record<string, string>;
  brand: { name: Record<string, string>; logo?: string; colors: { primary: string; accent?: string } };
  defaultLocale: string;
  locales: string[];
  defaults: Record<string, string>;
}

// On a server that requires API keys, the user's key is kept in this browser and sent with every request.
const KEY = "benih.apiKey";
export const setApiKey = (key: string) => localStorage.setItem(KEY, key);
export const forgetApiKey = () => localStorage.removeItem(KEY);
const auth = (): Record<string, string> => {
  const key = localStorage.getItem(KEY);
  return key ? { authorization: `Bearer ${key}` } : {};
};

/** Thrown when the server wants a (valid) API key: the app asks for one. */
export class NeedsKey extends Error {}

/** fetch with the user's key; a 401 becomes NeedsKey. */
async function authed(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, { ...init, headers: { ...auth(), ...(init.headers as Record<string, string> | undefined) } });
  if (res.status === 401) throw new NeedsKey(await errorOf(res));
  return res;
}

/**
 * A URL for media the browser loads by itself (<img>, <video>), which cannot carry the key: with a key the bytes
 * are fetched with it and shown from a blob URL.
 */
export async function mediaUrl(path: string): Promise<string> {
  if (!localStorage.getItem(KEY)) return path;
  const res = await authed(path);
  if (!res.ok) throw new Error(await errorOf(res));
  return URL.createObjectURL(await res.blob());
}

async function errorOf(res: Response): Promise<string> {
  const body = await res.text();
  try {
    return (JSON.parse(body) as { error: { message: string } }).error.message;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** The market for this host; null when the server runs without markets. */
export async function getMarket(): Promise<MarketInfo | null> {
  const res = await authed("/v1/market");
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(await errorOf(res));
  return (await res.json()) as MarketInfo;
}

export async function getModels(): Promise<string[]> {
  const res = await authed("/v1/models");
  if (!res.ok) throw new Error(await errorOf(res));
  return ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
}

// --- Conversations (/v1/conversations) ----------------------------------------------------------------------------

export interface Conversation {
  id: string;
  title: string;
  model: string;
  agent: string | null;
  updated_at: number;
  leaf: string | null;
  match?: string | null;
}

export interface Message {
  id: string;
  parent_id: string | null;
  role: "user" | "assistant";
  content: string;
  status: "done" | "streaming" | "stopped" | "failed" | "interrupted";
  model: string | null;
  error: string | null;
  siblings: string[];
  meta?: { skill?: string; attachments?: Array<{ id: string; title: string; source: string }>; citations?: Citation[]; images?: Array<{ id: string; url: string; model: string; size: string; seed: number | null }>; video?: VideoJob };
}

export interface Citation {
  n: number;
  title: string;
  source: string;
  page: number | null;
  excerpt: string;
}

export interface KbDocument {
  id: string;
  title: string;
  source: string;
  pages: number | null;
  chunks: number;
}

export interface ConversationView {
  conversation: Conversation;
  messages: Message[];
  thread: string[];
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await authed(path, { method, ...(body !== undefined && { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(await errorOf(res));
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export const conversations = {
  list: () => call<{ data: Conversation[] }>("GET", "/v1/conversations").then((r) => r.data),
  search: (q: string) => call<{ data: Conversation[] }>("GET", `/v1/conversations/search?q=${encodeURIComponent(q)}`).then((r) => r.data),
  create: (model: string, agent?: string) => call<Conversation>("POST", "/v1/conversations", { model, ...(agent && { agent }) }),
  get: (id: string) => call<ConversationView>("GET", `/v1/conversations/${id}`),
  update: (id: string, set: { title?: string; model?: string; leaf?: string }) => call<ConversationView>("PATCH", `/v1/conversations/${id}`, set),
  remove: (id: string) => call<void>("DELETE", `/v1/conversations/${id}`),
  exportUrl: (id: string) => `/v1/conversations/${id}/export`,
};

export interface AnswerEvents {
  onUser?: (m: Message) => void;
  onAnswer?: (a: { id: string; parent_id: string; meta?: Message["meta"] }) => void;
  onText: (text: string) => void;
}

/** Posts a message (or asks for another answer) and reads the answer's events; resolves with how it ended. */
export async function streamAnswer(path: string, body: object, on: AnswerEvents, signal: AbortSignal): Promise<{ status: string; error?: { message: string } }> {
  const res = await authed(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
  if (!res.ok || !res.body) throw new Error(await errorOf(res));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { status: "stopped" };
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const lines = buffer.slice(0, end).split("\n");
      buffer = buffer.slice(end + 2);
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
      const data = JSON.parse(lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "null");
      if (event === "user") on.onUser?.(data as Message);
      else if (event === "answer") on.onAnswer?.(data as { id: string; parent_id: string; meta?: Message["meta"] });
      else if (event === "delta") on.onText((data as { text: string }).text);
      else if (event === "done") return data as { status: string; error?: { message: string } };
    }
  }
}

/** Uploads a document into the knowledge base, reporting progress (0–1) as the bytes go out. */
export function uploadDocument(file: File, onProgress: (fraction: number) => void): Promise<KbDocument> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/v1/knowledge/documents?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    for (const [k, v] of Object.entries(auth())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: { error?: { message: string } } | KbDocument | undefined;
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) resolve(body as KbDocument);
      else reject(new Error((body as { error?: { message: string } } | undefined)?.error?.message ?? `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new Error("the upload did not reach the server"));
    xhr.send(file);
  });
}

export interface Settings {
  market: string | null;
  models: string[];
  providers: Array<{ name: string; configured: boolean; from?: string | null; region?: string | null; set?: string }>;
  skills: Record<string, { configured: boolean; provider?: string; note?: string; set?: string }>;
  uploads: { maxMb: number; types: string[] };
}

export const getSettings = () => call<Settings>("GET", "/v1/settings");

export interface Agent {
  id: string;
  builtIn: boolean;
  name: Record<string, string> | string;
  model: string | null;
  skills: string[];
  starters: string[];
}

export const getAgents = () => call<{ data: Agent[] }>("GET", "/v1/agents").then((r) => r.data);
export const createAgent = (a: { name: string; instructions: string; model: string | null; skills: string[]; starters: string[]; toolUse: boolean }) => call<Agent>("POST", "/v1/agents", a);

export interface VideoJob {
  id: string;
  kind: "generated" | "slideshow";
  model: string;
  status: "queued" | "running" | "succeeded" | "failed";
  progress: number;
  error: string | null;
  content_url: string | null;
}

export const getVideo = (id: string) => call<VideoJob>("GET", `/v1/videos/${id}`);

/** Translates a whole file, reporting progress; resolves with the translation's file name and Markdown. */
export async function translateFile(file: File, target: string, model: string, onProgress: (done: number, total: number) => void): Promise<{ name: string; markdown: string }> {
  const res = await authed(`/v1/translate/documents?name=${encodeURIComponent(file.name)}&target=${encodeURIComponent(target)}&model=${encodeURIComponent(model)}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: file,
  });
  if (!res.ok || !res.body) throw new Error(await errorOf(res));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the translation ended early");
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const lines = buffer.slice(0, end).split("\n");
      buffer = buffer.slice(end + 2);
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
      const data = JSON.parse(lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "null");
      if (event === "progress") onProgress(data.done, data.total);
      else if (event === "done") return data as { name: string; markdown: string };
      else if (event === "error") throw new Error((data as { message: string }).message);
    }
  }
}
