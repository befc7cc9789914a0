import type { Usage } from "@benih/spec";
import { type AttemptRecord, OWNER_PERSON_ID } from "@benih/contracts";
import type { FastifyReply, FastifyRequest } from "fastify";
import { GatewayError } from "../errors.ts";
import { ClientGoneError } from "../routing/execute.ts";
import { targetName, type Target } from "../routing/router.ts";
import type { ChatDeps } from "./chat-completions.ts";

/** What happened to one chat request, filled in as it goes. */
export interface Outcome {
  status: number;
  target?: Target;
  attempts: AttemptRecord[];
  usage?: Usage;
  ttftMs?: number;
  /** Characters of answer text the upstream produced: what an answer cut short used, when no usage came. */
  answerChars?: number;
  error?: { code: string | null; message: string };
  /** Set when the content policy stopped the input or the answer. */
  policy?: { direction: "input" | "output"; category: string };
}

/** What the request's span says of its outcome: the model, the target that answered, the tokens. */
export function traceOutcome(request: FastifyRequest, model: string, outcome: Outcome): void {
  const { target, usage } = outcome;
  request.span?.set({
    "gen_ai.request.model": model,
    ...(target && { "benih.target": targetName(target) }),
    ...(usage?.inputTokens !== undefined && { "gen_ai.usage.input_tokens": usage.inputTokens }),
    ...(usage?.outputTokens !== undefined && { "gen_ai.usage.output_tokens": usage.outputTokens }),
  });
}

/** One request's metrics, access-log line and request-log row, whatever the outcome. */
export function recordOutcome(
  deps: Pick<ChatDeps, "metrics" | "prices">,
  request: FastifyRequest,
  model: string,
  stream: boolean,
  outcome: Outcome,
  totalMs: number,
  endpoint = "/v1/chat/completions",
) {
  const { target, usage } = outcome;
  const tName = target ? targetName(target) : "";
  const attempts = outcome.attempts.filter((a) => a.outcome !== "skipped").length;
  deps.metrics.observeChat({
    model,
    target: tName,
    status: outcome.status,
    stream,
    totalMs,
    ttftMs: outcome.ttftMs,
    inputTokens: usage?.inputTokens,
    outputTokens: usage?.outputTokens,
    attempts: outcome.attempts,
  });
  const line = {
    model,
    target: tName || null,
    status: outcome.status,
    stream,
    attempts,
    inputTokens: usage?.inputTokens,
    outputTokens: usage?.outputTokens,
    ttftMs: outcome.ttftMs !== undefined ? Math.round(outcome.ttftMs) : undefined,
    ms: Math.round(totalMs),
    ...(request.scope?.market && { market: request.scope.market }),
    ...(outcome.policy && { policy: `${outcome.policy.direction}:${outcome.policy.category}` }),
  };
  const what = endpoint === "/v1/chat/completions" ? "chat completion" : endpoint;
  if (outcome.status >= 500) request.log.warn({ ...line, error: outcome.error?.message }, `${what} failed`);
  else request.log.info(line, what);
  // The market's own log: a request is never written to another market's store.
  request.scope?.requestLog?.write({
    id: request.id,
    created_at: Date.now(),
    api_key_id: request.principal?.keyId ?? null,
    // No principal on a server that serves one: the machine's owner (loopback without sign-in).
    person_id: request.principal ? (request.principal.person?.id ?? null) : OWNER_PERSON_ID,
    endpoint,
    model,
    target: target ? tName : null,
    attempts,
    status: outcome.status,
    error_code: outcome.error?.code ?? (outcome.policy ? `content_filter_${outcome.policy.direction}` : null),
    error_message: outcome.error?.message ?? null,
    stream: stream ? 1 : 0,
    input_tokens: usage?.inputTokens ?? null,
    output_tokens: usage?.outputTokens ?? null,
    ttft_ms: outcome.ttftMs ?? null,
    total_ms: totalMs,
    cost_usd: target && usage ? deps.prices.cost(target.provider, target.model, usage) : null,
    attempt_log: JSON.stringify(outcome.attempts),
  });
}

/**
 * Notes on the outcome why a request failed; true when the client went away (nothing more to send: the reply is
 * taken over so Fastify does not answer a closed socket), false when the error is the caller's to throw on.
 */
export function failedOutcome(err: unknown, outcome: Outcome, reply: FastifyReply): boolean {
  if (err instanceof ClientGoneError) {
    outcome.status = 499;
    outcome.error = { code: "client_closed", message: err.message };
    if (!reply.sent) reply.hijack();
    return true;
  }
  if (err instanceof GatewayError) {
    outcome.status = err.status;
    outcome.error = { code: err.code, message: err.message };
  } else outcome.status = 500;
  return false;
}
