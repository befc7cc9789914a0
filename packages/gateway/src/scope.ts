import type { PolicyHit } from "@benih/contracts";
import type { Principal } from "./http/auth.ts";
import type { PolicyAuditSink, RequestLogSink } from "./ports.ts";
import type { Target } from "./routing/router.ts";

export type { PolicyHit };

/** Checks an answer as it streams: returns the text cleared so far, or the hit. */
export interface StreamGuard {
  push(text: string): { text: string; hit?: PolicyHit };
  end(): { text: string; hit?: PolicyHit };
}

/**
 * What one request may do and where its records go. The server builds one per market (allow-list, content
 * policy, the market's own store); without markets every request shares the open scope.
 */
export interface RequestScope {
  /** The market's id, sent back as `x-benih-market`; undefined without markets. */
  market?: string;
  /** Why this request may not use a target, or undefined when it may. Fallbacks are checked too. */
  refuseTarget(t: Target): string | undefined;
  /** The first blocked term in a complete text (the input, a whole answer). */
  scan(text: string): PolicyHit | undefined;
  /**
   * Asks the market's moderation model about the input, after the blocked terms; a hit is refused like one.
   * Rejects when the moderation service fails: the request is then refused (503), never sent unchecked.
   */
  moderate?(text: string, signal: AbortSignal): Promise<PolicyHit | undefined>;
  /** A guard for one streamed answer; undefined when nothing is blocked. */
  guard(): StreamGuard | undefined;
  /** What the user sees instead of an answer that hit the policy. */
  refusal: string;
  /** The request log this request is written to. */
  requestLog?: RequestLogSink;
  /** Where this request's policy hits are written. */
  audit?: PolicyAuditSink;
}

export interface ScopeRequest {
  host: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  principal: Principal | undefined;
  /** The server's own work (for no one, or for a person it names), on a route flagged serverWork: it names its market with x-benih-market. */
  serverWork?: boolean;
}

/** Picks the scope of a request, or throws a GatewayError (unknown host, a key of another market…). */
export type ResolveScope = (r: ScopeRequest) => RequestScope;

/** Everything allowed, nothing blocked: a gateway without markets. */
export function openScope(requestLog?: RequestLogSink): RequestScope {
  return {
    refuseTarget: () => undefined,
    scan: () => undefined,
    guard: () => undefined,
    refusal: "",
    ...(requestLog && { requestLog }),
  };
}

/** The targets of a route that a scope allows. */
export const allowedTargets = (scope: RequestScope, targets: readonly Target[]) => targets.filter((t) => !scope.refuseTarget(t));
