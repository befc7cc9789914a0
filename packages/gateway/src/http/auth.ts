import type { ApiKey, ApiKeys } from "@benih/store";
import { GatewayError } from "../errors.ts";

export interface Principal {
  keyId: string;
  name: string;
  role: ApiKey["role"];
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
 * Checks API keys against the store with a short cache, so a request costs no database read; a revoked key
 * stops working within `cacheMs`. `last_used_at` is written in batches, not per request.
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();
  private readonly used = new Set<string>();
  private readonly flushTimer: NodeJS.Timeout;

  constructor(
    private readonly keys: ApiKeys,
    /** Without a valid key, requests are refused; otherwise a key is optional and only identifies the caller. */
    readonly required: boolean,
    private readonly cacheMs = 10_000,
  ) {
    this.flushTimer = setInterval(() => void this.flushUsage(), 30_000);
    this.flushTimer.unref();
  }

  private async lookup(key: string): Promise<Principal | undefined> {
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.principal;
    const row = await this.keys.verify(key);
    const principal = row ? { keyId: row.id, name: row.name, role: row.role, market: row.market } : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { principal, until: now + this.cacheMs });
    return principal;
  }

  /** The caller, or a 401 when a key is needed and missing or wrong. */
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
      // Without required auth, clients that always send some key (the OpenAI SDKs do) keep working.
      if (!this.required) return undefined;
      throw new GatewayError(401, "invalid_request_error", "Incorrect API key provided.", "invalid_api_key");
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
    await this.flushUsage();
  }
}
