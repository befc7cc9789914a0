import type { FastifyRequest } from "fastify";
import { GatewayError } from "../errors.ts";
import type { PolicyHit, RequestScope } from "../scope.ts";
import { scopeOf } from "./access.ts";

/** Writes a policy hit to the market's audit table. */
export function auditHit(scope: RequestScope, request: FastifyRequest, model: string, direction: "input" | "output", hit: PolicyHit): void {
  scope.audit?.({
    request_id: request.id,
    api_key_id: request.principal?.keyId ?? null,
    direction,
    category: hit.category,
    term: hit.term,
    model,
    excerpt: hit.excerpt,
  });
}

/**
 * Refuses (400 `content_policy_violation`) and audits text that a route sends to a model outside the chat
 * completions path (an image or video prompt), when the request's market blocks a term in it.
 */
export function refuseBlocked(request: FastifyRequest, text: string, model: string): void {
  const scope = scopeOf(request);
  const hit = scope.scan(text);
  if (!hit) return;
  auditHit(scope, request, model, "input", hit);
  throw new GatewayError(400, "invalid_request_error", `This prompt is not allowed here (${hit.category}).`, "content_policy_violation");
}

/**
 * Refuses (400 `content_policy_violation`, in the market's own words) and audits what a model produced outside the
 * chat completions path (a transcript), when the request's market blocks a term in it.
 */
export function refuseBlockedOutput(request: FastifyRequest, text: string, model: string): void {
  const scope = scopeOf(request);
  const hit = scope.scan(text);
  if (!hit) return;
  auditHit(scope, request, model, "output", hit);
  throw new GatewayError(
    400,
    "invalid_request_error",
    scope.refusal || `This is not allowed here (${hit.category}).`,
    "content_policy_violation",
  );
}
