import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { signalChannels, type Signals } from "@benih/contracts";
import { GatewayError } from "../errors.ts";
import type { ApiKeyLookup, KeyRole, OwnerLookup, Person, SessionLookup } from "../ports.ts";

/** Who a request comes from: an API key (an operator's, or a person's) or a person's signed-in browser. */
export interface Principal {
  /** The key's id, or `session:<id>` for a browser's session. */
  keyId: string;
  name: string;
  /** `admin`: an operator (a key with no person), or an admin of the person's market. */
  role: KeyRole;
  /** The market the key or person belongs to; null: any. */
  market: string | null;
  /** The person it acts for. */
  person?: Person;
  /** A session's CSRF token: its changes must send it as `x-csrf-token`. */
  csrf?: string;
  /** The key or cookie value it was found by, looked up again while its long requests run. */
  credential: string;
}

/** Whose quota and data a request uses: the person's (all their keys and sessions share them), else the key's. */
export const subjectOf = (p: Principal): string => p.person?.id ?? p.keyId;

/** An operator: an admin key of the home store and of no market, over every market (not a market's admin). */
export const isOperator = (p: Principal | undefined): boolean => p?.role === "admin" && !p.person && p.market === null;

/**
 * The session cookie; its value names the person's market (`cn.<token>`) so one store is read to find it. Beyond
 * loopback it is Secure and named `__Host-…`, which browsers keep from being set by a sibling subdomain (another
 * market's host could otherwise plant its own cookie of that name).
 */
export const sessionCookieName = (secure: boolean) => (secure ? "__Host-benih_session" : "benih_session");

/** The request's session cookie, as `name=value`, and its value; the `__Host-` one first. */
export function sessionCookieOf(headers: Record<string, string | string[] | undefined>): { pair: string; value: string } | undefined {
  for (const name of [sessionCookieName(true), sessionCookieName(false)]) {
    const value = cookieValue(headers.cookie, name);
    if (value) return { pair: `${name}=${value}`, value };
  }
  return undefined;
}

export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (typeof header !== "string") return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const csrfRefusal = (message: string, code: string) => new GatewayError(403, "permission_error", message, code);

/** A Host header's name, lower-cased, without its port (`[::1]` keeps its brackets). */
export const hostName = (host: string): string => {
  const lower = host.toLowerCase();
  return lower.startsWith("[") ? lower.slice(0, lower.indexOf("]") + 1) : lower.replace(/:\d+$/, "");
};

/** Whether a Host header names this machine itself (localhost, *.localhost, 127.x.x.x, [::1]), port aside. */
export function isLocalHost(host: string | string[] | undefined): boolean {
  if (typeof host !== "string") return false;
  const name = hostName(host);
  return name === "localhost" || name.endsWith(".localhost") || name === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * An open loopback server serves whoever reaches it as the machine's owner, so only by this machine's own names (or
 * names its config lists): a page that rebinds its own name to 127.0.0.1 (DNS rebinding) sends its own Host, and is
 * refused here.
 */
export function checkLocalHost(headers: Record<string, string | string[] | undefined>, known?: (host: string) => boolean): void {
  const host = headers.host;
  if (!isLocalHost(host) && !(typeof host === "string" && known?.(hostName(host))))
    throw new GatewayError(
      403,
      "permission_error",
      `Without sign-in this server answers only to this computer's own names (localhost, 127.0.0.1), not ${String(headers.host).slice(0, 100)}; behind a proxy, require sign-in (auth.required: true).`,
      "host_not_local",
    );
}

/** The Origin check of a cookie-authenticated change (and of sign-in itself): another site's page cannot send it. */
export function checkOrigin(headers: Record<string, string | string[] | undefined>): void {
  const origin = headers.origin;
  if (typeof origin !== "string") return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== headers.host)
    throw csrfRefusal(`This request came from another site (${origin.slice(0, 100)}) and was refused.`, "csrf_origin");
}

/** A session's change must send its CSRF token: only the app's own pages can read it (GET /v1/me). */
function checkCsrf(headers: Record<string, string | string[] | undefined>, csrf: string): void {
  checkOrigin(headers);
  const sent = headers["x-csrf-token"];
  const ok = typeof sent === "string" && sent.length === csrf.length && timingSafeEqual(Buffer.from(sent), Buffer.from(csrf));
  if (!ok)
    throw csrfRefusal(
      "This change needs the x-csrf-token header of your session (GET /v1/me gives it); reload the page and try again.",
      "csrf_token",
    );
}

/** The key from `Authorization: Bearer …` or `x-api-key` (what Anthropic-style clients send). */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  const x = headers["x-api-key"];
  return typeof x === "string" && x.trim() ? x.trim() : undefined;
}

/** What a revocation names: a key, a person, or a credential (by its SHA-256, as it travels between instances). */
interface Revoked {
  keyId?: string;
  person?: string;
  credential?: string;
}

const credentialHash = (credential: string) => createHash("sha256").update(credential).digest("base64url");

/**
 * Finds who a request comes from, by API key or session cookie, with a short cache so most requests cost no
 * database read. `last_used_at` is written in batches, not per request.
 *
 * Revocation: a key revoked, a session ended or a person disabled through this process is dropped from the cache at
 * once, and, with `shareRevocations`, every other instance sharing the store empties its cache when told. One changed
 * by a process without signals (`benih keys revoke`, `benih users disable`) is seen when its entry expires, so the
 * cache is kept to one second: a read per live key per second is nothing next to a model call.
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number; hash: string }>();
  /** Bumped on every revocation: a lookup that started before one does not cache what it read. */
  private revocations = 0;
  private readonly used = new Set<string>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly unsubscribe: (() => void) | undefined;
  private shared?: { signals: Signals; instance: string; stop: () => Promise<void> };

  constructor(
    private readonly keys: ApiKeyLookup,
    /** Without a valid key or session, requests are refused; otherwise one is optional, but one sent must be live. */
    readonly required: boolean,
    private readonly cacheMs = 1_000,
    private readonly sessions?: SessionLookup,
    /** Whom the server's own work for an owner of data is charged to; without it that work is refused. */
    private readonly owners?: OwnerLookup,
  ) {
    this.flushTimer = setInterval(() => void this.flushUsage(), 30_000);
    this.flushTimer.unref();
    this.unsubscribe = keys.onRevoke?.((id) => this.drop({ keyId: id }));
  }

  /** Drops the cached principals a revocation names: their next request is looked up again. */
  private forget(r: Revoked): void {
    this.revocations++;
    for (const [key, { principal: p, hash }] of this.cache)
      if (p && (p.keyId === r.keyId || (r.person !== undefined && p.person?.id === r.person) || hash === r.credential))
        this.cache.delete(key);
  }

  /** Forgets here, and tells the other instances sharing the store to. */
  private drop(r: Revoked): void {
    this.forget(r);
    const shared = this.shared;
    shared?.signals.publish(signalChannels.revocations, JSON.stringify({ ...r, from: shared.instance })).catch(() => {});
  }

  /**
   * Tells the instances sharing the store of each revocation here, and drops what each of theirs names from this
   * cache (a credential by its hash: the signal carries no secret).
   */
  async shareRevocations(signals: Signals): Promise<void> {
    const instance = randomUUID();
    const stop = await signals.subscribe(signalChannels.revocations, (message) => {
      let r: Revoked & { from?: string };
      try {
        r = JSON.parse(message) as Revoked & { from?: string };
      } catch {
        return;
      }
      if (r.from !== instance) this.forget(r);
    });
    this.shared = { signals, instance, stop };
  }

  /** Drops what a key or session cookie value was found to be (the session ended here). */
  forgetCredential(credential: string): void {
    this.drop({ credential: credentialHash(credential) });
  }

  /** Drops a person's cached keys and sessions (they were disabled or changed here). */
  forgetPerson(personId: string): void {
    this.drop({ person: personId });
  }

  /** A key's or a session cookie's principal, read from the store (no cache). */
  private async find(credential: string, kind: "key" | "session"): Promise<Principal | undefined> {
    if (kind === "session") {
      const s = await this.sessions?.session(credential);
      return (
        s && {
          keyId: `session:${s.id}`,
          name: s.person.email ?? "session",
          role: s.person.role === "admin" ? "admin" : "user",
          market: s.market,
          person: s.person,
          csrf: s.csrf,
          credential,
        }
      );
    }
    const row = await this.keys.verify(credential);
    if (!row) return undefined;
    const role = row.person ? (row.person.role === "admin" ? "admin" : "user") : row.role;
    return { keyId: row.id, name: row.name, role, market: row.market, ...(row.person && { person: row.person }), credential };
  }

  /**
   * The principal of the server's own work for an owner of data (x-benih-on-behalf-of, honoured only beside the
   * internal token on a serverWork route): a person, or a key of no person, as a caller of their market, so their
   * quotas, usage and request log count the work. Undefined for none (or a disabled person, a revoked key). Read
   * from the store each time: it is called once per batch of background work, not per request of a person.
   */
  async onBehalfOf(ownerId: string, market: string | null): Promise<Principal | undefined> {
    const row = await this.owners?.ownerById(ownerId, market);
    if (!row) return undefined;
    const role = row.person ? (row.person.role === "admin" ? "admin" : "user") : row.role;
    // No credential: the request is the server's own (internal), never held or watched as a caller's.
    return { keyId: row.id, name: row.name, role, market: row.market, ...(row.person && { person: row.person }), credential: "" };
  }

  /** Whether a principal's key or session is still live, read now (a disabled person's are not): for long requests. */
  async stillLive(p: Principal): Promise<boolean> {
    const now = await this.find(p.credential, p.csrf === undefined ? "key" : "session").catch(() => p);
    if (!now) this.forgetCredential(p.credential);
    return !!now;
  }

  private async lookup(credential: string, kind: "key" | "session"): Promise<Principal | undefined> {
    const key = kind === "session" ? `\0${credential}` : credential;
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.principal;
    const revocations = this.revocations;
    const principal = await this.find(credential, kind);
    if (revocations !== this.revocations) return principal;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { principal, until: now + this.cacheMs, hash: credentialHash(credential) });
    return principal;
  }

  /**
   * The caller by their key, else by their session cookie; or a 401 when one is needed and missing, or when the
   * one sent is not live. A session's changes (any method but GET, HEAD, OPTIONS) are checked against CSRF, except
   * in the server's own calls (`internal`).
   */
  async authenticate(
    headers: Record<string, string | string[] | undefined>,
    method = "GET",
    internal = false,
  ): Promise<Principal | undefined> {
    const key = presentedKey(headers);
    const cookie = key || !this.sessions ? undefined : sessionCookieOf(headers)?.value;
    if (cookie) {
      const principal = await this.lookup(cookie, "session");
      if (!principal) {
        if (!this.required) return undefined;
        throw new GatewayError(401, "invalid_request_error", "Your session has ended: sign in again.", "session_expired");
      }
      // The server's own call for a request (internal) carries its session: that request was checked already.
      if (!SAFE_METHODS.has(method) && !internal) checkCsrf(headers, principal.csrf!);
      return principal;
    }
    if (!key) {
      if (!this.required) return undefined;
      throw new GatewayError(
        401,
        "invalid_request_error",
        this.sessions
          ? "Sign in, or send an API key as 'Authorization: Bearer <key>' (make one in the app's settings)."
          : "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'; create one with `benih keys create`.",
        this.sessions ? "sign_in_required" : "missing_api_key",
      );
    }
    const principal = await this.lookup(key, "key");
    if (!principal) {
      // Even where no key is needed, a wrong or revoked one is refused rather than served as nobody's: its
      // holder would otherwise act, unknowingly, as the anonymous caller (another's conversations, no market).
      const hint = this.required ? "" : " This server needs no key on loopback: send none, or one from `benih keys create`.";
      throw new GatewayError(401, "invalid_request_error", `Incorrect API key provided.${hint}`, "invalid_api_key");
    }
    this.used.add(principal.keyId);
    return principal;
  }

  async flushUsage(): Promise<void> {
    const ids = [...this.used];
    this.used.clear();
    await this.keys.touch(ids).catch(() => {});
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    this.unsubscribe?.();
    await this.shared?.stop();
    await this.flushUsage();
  }
}
