// How the web app talks to the benih server: the user's API key or session on every request, and errors as readable
// text.

// On a server that requires API keys, the user's key is kept in this browser and sent with every request.
const KEY = "benih.apiKey";
export const setApiKey = (key: string) => localStorage.setItem(KEY, key);
export const hasApiKey = () => localStorage.getItem(KEY) !== null;
/** A key sent wins over the session cookie on the server: signing in drops it, or the cookie would go unused. */
export const forgetApiKey = () => localStorage.removeItem(KEY);

// A signed-in browser's session is an HttpOnly cookie the browser sends by itself; its changes must also send the
// session's CSRF token, which only this page can read (from /v1/me, sign-in and sign-up). Kept in memory only: a
// reload asks /v1/me again.
let csrfToken: string | undefined;
export const setCsrfToken = (token: string | undefined) => {
  csrfToken = token;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The headers that say who is asking: the key, and for a change (any method but GET, HEAD, OPTIONS) the session's
 * CSRF token. A caller that does not name its method (an upload's XMLHttpRequest) gets the token as well: sent with a
 * read it costs nothing, missing from a change it fails.
 */
export const authHeaders = (method?: string): Record<string, string> => {
  const key = localStorage.getItem(KEY);
  const change = method === undefined || !SAFE_METHODS.has(method.toUpperCase());
  return { ...(key && { authorization: `Bearer ${key}` }), ...(change && csrfToken && { "x-csrf-token": csrfToken }) };
};

/**
 * Thrown on a 401: the server wants a (valid) API key, or a signed-in person. `code` says which: `sign_in_required`
 * and `session_expired` ask for sign-in, `missing_api_key` and `invalid_api_key` for a key.
 */
export class NeedsKey extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A request the server refused or failed: its message, HTTP status and error code (`request_too_large`, …). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The server could not be reached at all (fetch itself failed): the app says so in the reader's language. */
export class NetworkError extends Error {}

/** fetch with the user's key or session; a 401 becomes NeedsKey, no answer at all NetworkError. */
export async function authed(path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    const headers = { ...authHeaders(init.method ?? "GET"), ...(init.headers as Record<string, string> | undefined) };
    res = await fetch(path, { ...init, headers });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new NetworkError((e as Error).message);
  }
  if (res.status === 401) {
    const { message, code } = await apiError(res);
    throw new NeedsKey(message, code);
  }
  return res;
}

/** The server's error as an ApiError: its `{ error: { message, code } }`, else a short plain-text body, else the status. */
export async function apiError(res: Response): Promise<ApiError> {
  const body = (await res.text().catch(() => "")).trim();
  try {
    const error = (JSON.parse(body) as { error?: { message?: unknown; code?: unknown } }).error;
    const code = typeof error?.code === "string" ? error.code : undefined;
    if (typeof error?.message === "string" && error.message) return new ApiError(error.message, res.status, code);
  } catch {
    // Not JSON: a proxy's or a crashed server's page.
  }
  const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
  return new ApiError(body && body.length <= 200 && !body.startsWith("<") ? `${status}: ${body}` : status, res.status);
}

/** What went wrong, in words (see apiError). */
export const errorOf = async (res: Response): Promise<string> => (await apiError(res)).message;

/** A JSON call: the parsed body, or an Error with the server's message. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await authed(path, {
    method,
    ...(body !== undefined && { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw await apiError(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Posts JSON (or bytes) and returns the response's event stream, or throws the server's error. */
export async function postForEvents(path: string, init: RequestInit): Promise<ReadableStream<Uint8Array>> {
  const res = await authed(path, { method: "POST", ...init });
  if (!res.ok || !res.body) throw await apiError(res);
  return res.body;
}

/** An event's JSON data. */
export function eventData<T>(data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new Error(`the server sent an event that is not JSON: ${data.slice(0, 80)}`);
  }
}

/**
 * A URL for media the browser loads by itself (<img>, <video>), which cannot carry the key: with a key the bytes
 * are fetched with it and shown from a blob URL.
 */
export async function mediaUrl(path: string): Promise<string> {
  if (!hasApiKey()) return path;
  const res = await authed(path);
  if (!res.ok) throw await apiError(res);
  return URL.createObjectURL(await res.blob());
}
