import type { PolicyAuditEntry, QuotaLimits, RequestLogEntry } from "@benih/contracts";
import type { Principal } from "./http/auth.ts";
import type { RequestScope } from "./scope.ts";

// What the gateway needs from the outside, declared here and satisfied by whoever composes it (the server passes
// its store's objects; tests may pass anything with these methods). The gateway depends on no store.

export type KeyRole = "admin" | "user";

/** A person of a market, as a request acts for them (by their key or their browser's session). */
export interface Person {
  id: string;
  email: string | null;
  role: "member" | "admin";
  /** The machine's own account (a loopback server without sign-in): its data is the unowned space. */
  owner: boolean;
  /** Their own limits over the market's, field by field; null: the market's. */
  quota: QuotaLimits | null;
}

/** An API key as the gateway sees it: whose it is and what it may do. */
export interface KeyRecord {
  id: string;
  name: string;
  role: KeyRole;
  /** The market the key belongs to; null: any. */
  market: string | null;
  /** The person the key acts as; none for an operator's key (or a user key `benih keys create` made). */
  person?: Person;
}

/** A signed-in browser's session, found by its cookie. */
export interface SessionRecord {
  id: string;
  /** What the session's changes must send as `x-csrf-token`. */
  csrf: string;
  market: string | null;
  person: Person;
}

/** Where API keys are checked. */
export interface ApiKeyLookup {
  /** The live (not revoked) key with this secret, if any (a person's key only if its person is not disabled). */
  verify(key: string): Promise<KeyRecord | undefined>;
  /** Notes that these keys were used now (written in batches, not per request). */
  touch(ids: string[]): Promise<void>;
  /** Calls `listener` with a key's id when this process revokes it; returns the unsubscribe. */
  onRevoke?(listener: (id: string) => void): () => void;
}

/** Where sessions are checked: the cookie's value, as the server set it. */
export interface SessionLookup {
  /** The live session of this cookie value, if any (expired, signed-out and disabled people's sessions are not). */
  session(cookie: string): Promise<SessionRecord | undefined>;
}

/**
 * Where the owners of data are found by id: whom the server's own work for them (x-benih-on-behalf-of) is charged
 * to. An owner is a person, or a key with no person (keys made before accounts own what they made).
 */
export interface OwnerLookup {
  /**
   * The owner with this id of `market` (null: without markets) as a caller: a person (unless disabled), whose
   * record's `id` is not a key's, or a live key of no person; undefined for none.
   */
  ownerById(id: string, market: string | null): Promise<KeyRecord | undefined>;
}

/** Where a market's request-log rows go; `write` must not block the request (it buffers). */
export interface RequestLogSink {
  write(entry: RequestLogEntry): void;
}

/** Where a market's policy hits go; the market fills in its own id. */
export type PolicyAuditSink = (entry: Omit<PolicyAuditEntry, "market">) => void;

/**
 * The limits a request's subject is held to, or undefined for none. The server's policy reads benih.yaml (the
 * market's defaults, else the server-wide ones) under the person's own overrides.
 */
export interface QuotaPolicy {
  limitsFor(principal: Principal, scope: RequestScope): QuotaLimits | undefined;
}
