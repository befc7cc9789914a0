// How the web app talks to the benih server: the user's API key on every request, and errors as readable text.

// On a server that requires API keys, the user's key is kept in this browser and sent with every request.
const KEY = "benih.apiKey";
export const setApiKey = (key: string) => localStorage.setItem(KEY, key);
export const hasApiKey = () => localStorage.getItem(KEY) !== null;
export const authHeaders = (): Record<string, string> => {
  const key = localStorage.getItem(KEY);
  return key ? { authorization: `Bearer ${key}` } : {};
};

/** Thrown when the server wants a (valid) API key: the app asks for one. */
export class NeedsKey extends Error {}

/** fetch with the user's key; a 401 becomes NeedsKey. */
export async function authed(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, { ...init, headers: { ...authHeaders(), ...(init.headers as Record<string, string> | undefined) } });
  if (res.status === 401) throw new NeedsKey(await errorOf(res));
  return res;
}

/** What went wrong, in words: the server's `{ error: { message } }`, else a short plain-text body, else the status. */
export async function errorOf(res: Response): Promise<string> {
  const body = (await res.text().catch(() => "")).trim();
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === "string" && message) return message;
  } catch {
    // Not JSON: a proxy's or a crashed server's page.
  }
  const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
  return body && body.length <= 200 && !body.startsWith("<") ? `${status}: ${body}` : status;
}

/** A JSON call: the parsed body, or an Error with the server's message. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await authed(path, {
    method,
    ...(body !== undefined && { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(await errorOf(res));
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Posts JSON (or bytes) and returns the response's event stream, or throws the server's error. */
export async function postForEvents(path: string, init: RequestInit): Promise<ReadableStream<Uint8Array>> {
  const res = await authed(path, { method: "POST", ...init });
  if (!res.ok || !res.body) throw new Error(await errorOf(res));
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
  if (!res.ok) throw new Error(await errorOf(res));
  return URL.createObjectURL(await res.blob());
}
