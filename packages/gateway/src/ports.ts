import type { PolicyAuditEntry, QuotaLimits, RequestLogEntry } from "@benih/contracts";
import type { Principal } from "./http/auth.ts";
import type { RequestScope } from "./scope.ts";

// What the gateway needs from the outside, declared here and satisfied by whoever composes it (the server passes
// its store's objects; tests may pass anything with these methods). The gateway depends on no store.

export type KeyRole = "admin" | "user";

/** An API key as the gateway sees it: whose it is and what it may do. */
export interface KeyRecord {
  id: string;
  name: string;
  role: KeyRole;
  /** The market the key belongs to; null: any. */
  market: string | null;
}

/** Where API keys are checked. */
export interface ApiKeyLookup {
  /** The live (not revoked) key with this secret, if any. */
  verify(key: string): Promise<KeyRecord | undefined>;
  /** Notes that these keys were used now (written in batches, not per request). */
  touch(ids: string[]): Promise<void>;
  /** Calls `listener` with a key's id when this process revokes it; returns the unsubscribe. */
  onRevoke?(listener: (id: string) => void): () => void;
}

/** Where a market's request-log rows go; `write` must not block the request (it buffers). */
export interface RequestLogSink {
  write(entry: RequestLogEntry): void;
}

/** Where a market's policy hits go; the market fills in its own id. */
export type PolicyAuditSink = (entry: Omit<PolicyAuditEntry, "market">) => void;

/**
 * The limits a request's subject is held to, or undefined for none. The server's policy reads benih.yaml (the
 * market's defaults, else the server-wide ones); per-person overrides plug in here later.
 */
export interface QuotaPolicy {
  limitsFor(principal: Principal, scope: RequestScope): QuotaLimits | undefined;
}
