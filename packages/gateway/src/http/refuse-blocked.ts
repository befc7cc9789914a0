import type { FastifyRequest } from "fastify";
import { GatewayError } from "../errors.ts";
import { scopeOf } from "./access.ts";

/**
 * Refuses (400 `content_policy_violation`) and audits text that a route sends to a model outside the chat
 * completions path (an image or video prompt), when the request's market blocks a term in it.
 */
export function refuseBlocked(request: FastifyRequest, text: string, model: string): void {
  const scope = scopeOf(request);
  const hit = scope.scan(text);
  if (!hit) return;
  scope.audit?.({ request_id: request.id, api_key_id: request.principal?.keyId ?? null, direction: "input", category: hit.category, term: hit.term, model, excerpt: hit.excerpt });
  throw new GatewayError(400, "invalid_request_error", `This prompt is not allowed here (${hit.category}).`, "content_policy_violation");
}
