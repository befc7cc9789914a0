import { GatewayError } from "../errors.ts";
import type { ApiKeyLookup, KeyRole } from "../ports.ts";

export interface Principal {
  keyId: string;
  name: string;
  role: KeyRole;
  /** The market the key belongs to; null: any. */
  market: string | null;
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

/**
 * Checks API keys with a short cache, so most requests cost no database read. `last_used_at` is written in
 * batches, not per request.
 *
 * Revocation: a key revoked through this process's store is dropped from the cache at once (`onRevoke`). One
 * revoked by another process (`benih keys revoke` against the same database) is seen when its entry expires,
 * so the cache is kept to one second: a read per live key per second is nothing next to a model call, and simpler
 * than polling a revocation marker for the same bound.
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();
  /** Bumped on every revocation: a lookup that started before one does not cache what it read. */
  private revocations = 0;
  private readonly used = new Set<string>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly keys: ApiKeyLookup,
    /** Without a valid key, requests are refused; otherwise a key is optional, but one that is sent must be valid. */
    readonly required: boolean,
    private readonly cacheMs = 1_000,
  ) {
    this.flushTimer = setInterval(() => void this.flushUsage(), 30_000);
    this.flushTimer.unref();
    this.unsubscribe = keys.onRevoke?.((id) => this.forget(id));
  }

  private forget(keyId: string): void {
    this.revocations++;
    for (const [key, entry] of this.cache) if (entry.principal?.keyId === keyId) this.cache.delete(key);
  }

  private async lookup(key: string): Promise<Principal | undefined> {
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.principal;
    const revocations = this.revocations;
    const row = await this.keys.verify(key);
    const principal = row ? { keyId: row.id, name: row.name, role: row.role, market: row.market } : undefined;
    if (revocations !== this.revocations) return principal;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { principal, until: now + this.cacheMs });
    return principal;
  }

  /** The caller, or a 401 when a key is needed and missing, or when the key sent is not a live one. */
  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<Principal | undefined> {
    const key = presentedKey(headers);
    if (!key) {
      if (!this.required) return undefined;
      throw new GatewayError(
        401,
        "invalid_request_error",
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'; create one with `benih keys create`.",
        "missing_api_key",
      );
    }
    const principal = await this.lookup(key);
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
    await this.flushUsage();
  }
}
