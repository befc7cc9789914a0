import type { EmbeddingLimits, EmbeddingModel } from "@benih/spec";
import type { FastifyReply, FastifyRequest } from "fastify";
import { GatewayError, modelNotFound } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { toEmbeddingsBody } from "../openai-wire/embeddings-body.ts";
import {
  checkAgainstLimits,
  estimatedTokens,
  parseEmbeddingsRequest,
  type EmbeddingBudget,
  type EmbeddingsCall,
} from "../openai-wire/parse-embeddings.ts";
import type { PriceTable } from "../pricing.ts";
import { maxCostOf } from "../quota/estimate.ts";
import type { QuotaGate, Reservation } from "../quota/quota-gate.ts";
import { runOnTargets, type RetryPolicy } from "../routing/execute.ts";
import { targetName, type Router, type Target } from "../routing/router.ts";
import { raceAbort } from "../routing/stream-start.ts";
import { allowedTargets, type RequestScope } from "../scope.ts";
import type { Tracer } from "../tracing/trace.ts";
import { scopeOf } from "./access.ts";
import { clientGone, headerValue, moderate } from "./chat-completions.ts";
import { failedOutcome, recordOutcome, traceOutcome, type Outcome } from "./record-outcome.ts";
import { auditHit } from "./refuse-blocked.ts";
import { settleQuota } from "./settle-quota.ts";

export interface EmbeddingsDeps {
  router: Router;
  policy: RetryPolicy;
  prices: PriceTable;
  metrics: GatewayMetrics;
  embeddingBudget: EmbeddingBudget;
  quota?: QuotaGate;
  tracer?: Tracer;
}

export const EMBEDDINGS_PATH = "/v1/embeddings";

/**
 * What every target that could answer is known to take, the most permissive of them (a fallback may take what the
 * first cannot); undefined when any of them is an upstream, which answers for itself, or cannot say.
 */
async function knownLimits(router: Router, targets: Target[]): Promise<EmbeddingLimits | undefined> {
  const models = targets.map((t) => router.embeddingModel(t));
  if (!models.every((m): m is EmbeddingModel => !("missing" in m) && typeof m.limits === "function")) return undefined;
  try {
    const all = await Promise.all(models.map((m) => m.limits!()));
    return { dimensions: Math.max(...all.map((l) => l.dimensions)), maxInputTokens: Math.max(...all.map((l) => l.maxInputTokens)) };
  } catch {
    return undefined; // a model that cannot load says why when it is called
  }
}

/** Whether the market checks what is sent to models: blocked terms or a moderation model. */
const checksInput = (scope: RequestScope) => scope.guard() !== undefined || scope.moderate !== undefined;

/** The texts a market's policy reads; token ids cannot be read, and are refused where a policy applies. */
function policyText(call: EmbeddingsCall, scope: RequestScope): string {
  if (checksInput(scope) && call.inputs.some((x) => typeof x !== "string"))
    throw new GatewayError(
      400,
      "invalid_request_error",
      "This market checks what is sent to models, and token ids cannot be checked: send the input as text.",
      "token_input_not_allowed",
      "input",
    );
  return call.inputs.filter((x): x is string => typeof x === "string").join("\n");
}

/**
 * OpenAI's POST /v1/embeddings: the same routing, market allow-list, content policy, quotas, request log and
 * fallback as chat completions, over the targets' embedding models.
 */
export function embeddingsHandler(deps: EmbeddingsDeps) {
  return async function handle(request: FastifyRequest, reply: FastifyReply) {
    const t0 = performance.now();
    const call = parseEmbeddingsRequest(request.body, deps.embeddingBudget);
    const scope = scopeOf(request);
    const route = deps.router.resolve(call.model);
    // A model the market may not use does not exist for it.
    const allowed = route ? allowedTargets(scope, route.targets) : [];
    if (!route || !allowed.length) throw modelNotFound(call.model);
    const embedding = allowed.filter((t) => deps.router.embeds(t));
    if (!embedding.length)
      throw new GatewayError(
        400,
        "invalid_request_error",
        `The model \`${call.model}\` does not make embeddings (${allowed.map(targetName).join(", ")}). Use an embedding model, e.g. openai/text-embedding-3-small or a local GGUF model.`,
        "model_not_supported",
        "model",
      );
    const text = policyText(call, scope);

    const outcome: Outcome = { status: 200, attempts: [] };
    let reservation: Reservation | undefined;
    const estimate = estimatedTokens(call.inputs);
    try {
      const hit = scope.scan(text) ?? (scope.moderate ? await moderate(scope, text, reply) : undefined);
      if (hit) {
        outcome.policy = { direction: "input", category: hit.category };
        auditHit(scope, request, call.model, "input", hit);
        reply.header("x-benih-policy", "input");
        throw new GatewayError(
          400,
          "invalid_request_error",
          `This input is not allowed here (${hit.category}).`,
          "content_policy_violation",
          "input",
        );
      }
      // Reserved once the request is known to go upstream; settled in the finally below, whatever happens.
      const held = deps.quota?.reserve(request.principal, scope, () => ({
        requests: request.internal ? 0 : 1,
        tokens: estimate,
        costUsd: maxCostOf(deps.prices, embedding, { prompt: estimate, answer: 0 }),
      }));
      if (held) reservation = await held;
      if (reservation) reply.headers(reservation.headers);
      // A local model's limits need it loaded: only for a caller the policy and the quota let through.
      const limits = await knownLimits(deps.router, embedding);
      if (limits) checkAgainstLimits(call, limits);
      const client = clientGone(reply);
      const s = await runOnTargets(
        route,
        (t) => deps.router.embeddingModel(t),
        client,
        deps.policy,
        (a) =>
          raceAbort(
            a.model.doEmbed({
              inputs: call.inputs,
              ...(call.dimensions !== undefined && { dimensions: call.dimensions }),
              ...(call.user !== undefined && { user: call.user }),
              abortSignal: a.signal,
              ...(a.traceparent && { headers: { traceparent: a.traceparent } }),
            }),
            a.signal,
            a.model.provider,
          ),
        {
          attempts: outcome.attempts,
          exclude: scope.refuseTarget.bind(scope),
          operation: "embeddings",
          ...(deps.tracer && request.span && { trace: { tracer: deps.tracer, parent: request.span } }),
        },
      );
      s.release();
      outcome.target = s.target;
      // An upstream that reports no usage is counted (and billed) at the estimate, as the answer says.
      const tokens = s.value.usage.inputTokens ?? estimate;
      outcome.usage = { inputTokens: tokens, outputTokens: 0 };
      reply.header("x-benih-target", headerValue(targetName(s.target)));
      return toEmbeddingsBody(call.model, s.value.embeddings, call.base64, tokens);
    } catch (err) {
      if (failedOutcome(err, outcome, reply)) return;
      throw err;
    } finally {
      if (reservation) settleQuota(reservation, outcome, deps.prices, estimate);
      const totalMs = performance.now() - t0;
      traceOutcome(request, call.model, outcome);
      setImmediate(() => recordOutcome(deps, request, call.model, false, outcome, totalMs, EMBEDDINGS_PATH));
    }
  };
}
