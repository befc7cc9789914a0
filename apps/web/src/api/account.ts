// The person's account: who is signed in, signing in and out, their own API keys and usage. The shapes are
// @benih/contracts' (accounts.ts); the session itself is an HttpOnly cookie the browser keeps and sends.
import type { CreatedKeyView, MeView, PersonKeyView, SignInMethods, UsageRow } from "@benih/contracts";
import { ApiError, apiError, authHeaders, call, NetworkError, setCsrfToken } from "./http.ts";

/** A refusal of a sign-in route; `retryAfter` (seconds) comes with `too_many_attempts`. */
export class AuthError extends ApiError {
  constructor(
    message: string,
    status: number,
    code: string | undefined,
    readonly retryAfter?: number,
  ) {
    super(message, status, code);
  }
}

/** Who the server takes this browser for: the person, or why it will not say (the 401's code), or that it cannot. */
export type Whoami =
  | { kind: "me"; me: MeView }
  | { kind: "refused"; code: string | undefined; message: string }
  /** A server without accounts (no /v1/me), or one that could not answer: the app goes on as before accounts. */
  | { kind: "unknown" };

/** fetch itself, not authed: a 401 here is an answer to show (a wrong password, no session), not a reason to ask for a key. */
async function send(method: string, path: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { ...authHeaders(method), ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new NetworkError((e as Error).message);
  }
}

async function refusal(res: Response): Promise<AuthError> {
  const retry = Number(res.headers.get("retry-after"));
  const { message, status, code } = await apiError(res);
  return new AuthError(message, status, code, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

/** Keeps the session's CSRF token the answer carries, for the changes this page sends next. */
function signedIn(me: MeView): MeView {
  setCsrfToken(me.csrfToken);
  return me;
}

export async function whoami(): Promise<Whoami> {
  let res: Response;
  try {
    res = await send("GET", "/v1/me");
  } catch {
    return { kind: "unknown" };
  }
  if (res.ok) return { kind: "me", me: signedIn((await res.json()) as MeView) };
  if (res.status === 401) {
    const { message, code } = await apiError(res);
    return { kind: "refused", code, message };
  }
  return { kind: "unknown" };
}

/** How this server lets people in; null on a server without accounts. */
export async function signInMethods(): Promise<SignInMethods | null> {
  const res = await send("GET", "/v1/auth/methods").catch(() => null);
  return res?.ok ? ((await res.json()) as SignInMethods) : null;
}

async function enter(path: string, body: Record<string, string>): Promise<MeView> {
  const res = await send("POST", path, body);
  if (!res.ok) throw await refusal(res);
  return signedIn((await res.json()) as MeView);
}

export const logIn = (email: string, password: string) => enter("/v1/auth/login", { email, password });
export const signUp = (email: string, password: string, invitation?: string) =>
  enter("/v1/auth/signup", { email, password, ...(invitation && { invitation }) });

/** Ends this browser's session, or every session of the person's. A session that had already ended is signed out too. */
export async function logOut(everywhere = false): Promise<void> {
  const res = await send("POST", "/v1/auth/logout", { everywhere });
  if (!res.ok && res.status !== 401) throw await refusal(res);
  setCsrfToken(undefined);
}

/** Asks for a reset link; the server answers the same whether or not the address has an account. */
export async function requestReset(email: string): Promise<void> {
  const res = await send("POST", "/v1/auth/reset", { email });
  if (!res.ok) throw await refusal(res);
}

export async function confirmReset(token: string, password: string): Promise<void> {
  const res = await send("POST", "/v1/auth/reset/confirm", { token, password });
  if (!res.ok) throw await refusal(res);
}

/** Where an OpenID Connect provider's sign-in starts (a plain link: the server redirects to the provider). */
export const oidcStart = (id: string) => `/v1/auth/oidc/${encodeURIComponent(id)}/start`;

export const myKeys = {
  list: () => call<{ data: PersonKeyView[] }>("GET", "/v1/me/keys").then((r) => r.data),
  create: (name: string) => call<CreatedKeyView>("POST", "/v1/me/keys", { name }),
  revoke: (id: string) => call<void>("DELETE", `/v1/me/keys/${encodeURIComponent(id)}`),
};

export const myUsage = (days: number) => call<{ data: UsageRow[] }>("GET", `/v1/me/usage?days=${days}`).then((r) => r.data);
/** The same rows as CSV: a plain link downloads it, the cookie goes with it. */
export const myUsageCsv = (days: number) => `/v1/me/usage?days=${days}&format=csv`;
