import type { CallOptions, GenerateResult, StreamPart } from "@benih/spec";
import type { FastifyReply, FastifyRequest } from "fastify";
import { GatewayError, modelNotFound } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { ChunkEncoder } from "../openai-wire/chunk-encoder.ts";
import { toCompletionBody } from "../openai-wire/completion.ts";
import { openAIUsage } from "../openai-wire/finish-reason.ts";
import { parseChatRequest } from "../openai-wire/parse-request.ts";
import { checkPromptBudget, type PromptBudget } from "../openai-wire/prompt-budget.ts";
import { toCallOptions } from "../openai-wire/to-call-options.ts";
import type { PriceTable } from "../pricing.ts";
import { CancelSource } from "../routing/cancel-source.ts";
import { type Attempt, ClientGoneError, runWithFallback, type RetryPolicy, type Started } from "../routing/execute.ts";
import type { Tracer } from "../tracing/trace.ts";
import { targetName, type Router, type Target } from "../routing/router.ts";
import { abortFailure, openStream, raceAbort, type OpenedStream } from "../routing/stream-start.ts";
import { allowedTargets, type PolicyHit, type RequestScope, type StreamGuard } from "../scope.ts";
import type { ChatCompletionRequest } from "../openai-wire/request-schema.ts";
import { scopeOf } from "./access.ts";
import { failedOutcome, recordOutcome, traceOutcome, type Outcome } from "./record-outcome.ts";
import { auditHit } from "./refuse-blocked.ts";
import { maxCostOf, maxTokensOf } from "../quota/estimate.ts";
import type { QuotaGate, Reservation } from "../quota/quota-gate.ts";
import { settleQuota } from "./settle-quota.ts";

/**
 * A name as a header value: characters a header cannot carry (anything outside visible ASCII, e.g. 通义千问 or a
 * newline in an upstream model id) percent-encoded, so no model name can break a response.
 */
export const headerValue = (name: string) => name.replace(/[^\x20-\x7e]+/g, (c) => encodeURIComponent(c));

/** `x-benih-target` for a target, made once per target (routes keep their targets). */
const targetHeaders = new WeakMap<Target, string>();
function targetHeader(t: Target): string {
  let h = targetHeaders.get(t);
  if (h === undefined) targetHeaders.set(t, (h = headerValue(targetName(t))));
  return h;
}

export interface ChatDeps {
  router: Router;
  policy: RetryPolicy;
  prices: PriceTable;
  metrics: GatewayMetrics;
  promptBudget: PromptBudget;
  quota?: QuotaGate;
  tracer?: Tracer;
}

/** The text parts of an answer, joined. */
function answerText(content: GenerateResult["content"]): string {
  let text = "";
  for (const p of content) if (p.type === "text") text += p.text;
  return text;
}

/** The upstream request carries the attempt's trace context. */
function traced(options: CallOptions, a: Attempt): CallOptions {
  return a.traceparent ? { ...options, headers: { ...options.headers, traceparent: a.traceparent } } : options;
}

/** Fires when the client's connection closes before the answer was fully written. */
export function clientGone(reply: FastifyReply): CancelSource {
  const source = new CancelSource();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) source.cancel();
  });
  return source;
}

/**
 * Every text the model will read, whoever wrote it: system and developer prompts (an agent's instructions, the
 * documents an answer is grounded on), the person's words, earlier answers, tool calls, what tools brought in, and
 * how the tools offered are described.
 * The content policy checks all of it before any model sees it.
 */
function inputText(req: ChatCompletionRequest): string {
  const parts: string[] = [];
  for (const m of req.messages) {
    if (typeof m.content === "string") parts.push(m.content);
    else if (m.content) for (const p of m.content) if (p.type === "text") parts.push(p.text);
    if (m.role === "assistant") for (const c of m.tool_calls ?? []) parts.push(c.function.arguments);
  }
  for (const t of req.tools ?? []) if (t.function.description) parts.push(t.function.description);
  return parts.join("\n");
}

/** The moderation verdict, or a 503 that names the failure: a market that moderates never skips it. */
export async function moderate(scope: RequestScope, text: string, reply: FastifyReply): Promise<PolicyHit | undefined> {
  const gone = new AbortController();
  const onClose = () => reply.raw.writableFinished || gone.abort();
  reply.raw.once("close", onClose);
  try {
    return await scope.moderate!(text, AbortSignal.any([gone.signal, AbortSignal.timeout(MODERATION_TIMEOUT_MS)]));
  } catch (err) {
    if (gone.signal.aborted) throw new GatewayError(499, "invalid_request_error", "The client closed the connection.", "client_closed");
    throw new GatewayError(
      503,
      "upstream_error",
      `The content check this market requires failed, so the request was not sent: ${(err as Error).message}`,
      "moderation_unavailable",
    );
  } finally {
    reply.raw.off("close", onClose);
  }
}

const MODERATION_TIMEOUT_MS = 15_000;

/** Records a policy hit in the market's audit table and on the outcome. */
function audit(
  scope: RequestScope,
  request: FastifyRequest,
  model: string,
  direction: "input" | "output",
  hit: PolicyHit,
  outcome: Outcome,
) {
  outcome.policy = { direction, category: hit.category };
  auditHit(scope, request, model, direction, hit);
}

export function chatCompletionsHandler(deps: ChatDeps) {
  return async function handle(request: FastifyRequest, reply: FastifyReply) {
    const t0 = performance.now();
    const req = parseChatRequest(request.body);
    checkPromptBudget(req, deps.promptBudget);
    const scope = scopeOf(request);
    const route = deps.router.resolve(req.model);
    // A model the market may not use does not exist for it.
    if (!route || !allowedTargets(scope, route.targets).length) throw modelNotFound(req.model);
    const stream = req.stream === true;
    const outcome: Outcome = { status: 200, attempts: [] };

    const input = inputText(req);
    const inputHit = scope.scan(input) ?? (scope.moderate ? await moderate(scope, input, reply) : undefined);
    if (inputHit) {
      audit(scope, request, req.model, "input", inputHit, outcome);
      traceOutcome(request, req.model, outcome); // now: the span ends when the response closes
      setImmediate(() => recordOutcome(deps, request, req.model, stream, outcome, performance.now() - t0));
      reply.header("x-benih-policy", "input");
      if (!stream) return refusal(`chatcmpl-${request.id}`, req.model, scope.refusal);
      reply.hijack();
      const encoder = new ChunkEncoder(
        `chatcmpl-${request.id}`,
        req.model,
        Math.floor(Date.now() / 1000),
        req.stream_options?.include_usage === true,
      );
      writeSseHead(reply);
      reply.raw.end(
        encoder.encode({ type: "text-delta", delta: scope.refusal }) +
          encoder.encode({ type: "finish", finishReason: "content-filter", usage: { inputTokens: 0, outputTokens: 0 } }),
      );
      return;
    }

    const options = toCallOptions(req);
    const client = clientGone(reply);
    const run = {
      attempts: outcome.attempts,
      exclude: scope.refuseTarget.bind(scope),
      ...(deps.tracer && request.span && { trace: { tracer: deps.tracer, parent: request.span } }),
    };
    let reservation: Reservation | undefined;
    let promptEstimate = 0;
    let reservedAnswer = 0;
    try {
      // Reserved once the request is known to go upstream; settled in the finally below, whatever happens.
      const held = deps.quota?.reserve(request.principal, scope, () => {
        const tokens = maxTokensOf(req);
        promptEstimate = tokens.prompt;
        reservedAnswer = tokens.answer;
        return {
          requests: request.internal ? 0 : 1,
          tokens: tokens.prompt + tokens.answer,
          costUsd: maxCostOf(deps.prices, allowedTargets(scope, route.targets), tokens),
        };
      });
      if (held) reservation = await held;
      if (reservation) {
        reply.headers(reservation.headers);
        // The answer is held to what was reserved for it: unbounded, an upstream may write up to its own maximum
        // (16k tokens and more), far past the reservation, and concurrent requests could pass the budget by that.
        options.maxOutputTokens ??= reservedAnswer;
      }
      if (!stream) {
        const s = await runWithFallback(
          deps.router,
          route,
          client,
          deps.policy,
          (a) => raceAbort(a.model.doGenerate({ ...traced(options, a), abortSignal: a.signal }), a.signal, a.model.provider),
          run,
        );
        outcome.target = s.target;
        outcome.usage = s.value.usage;
        const answer = answerText(s.value.content);
        outcome.answerChars = answer.length;
        s.release();
        reply.header("x-benih-target", targetHeader(s.target));
        const outputHit = scope.scan(answer);
        if (outputHit) {
          audit(scope, request, req.model, "output", outputHit, outcome);
          reply.header("x-benih-policy", "output");
          return { ...refusal(`chatcmpl-${request.id}`, req.model, scope.refusal), usage: openAIUsage(s.value.usage) };
        }
        return toCompletionBody(`chatcmpl-${request.id}`, req.model, Math.floor(Date.now() / 1000), s.value);
      }
      const s = await runWithFallback(
        deps.router,
        route,
        client,
        deps.policy,
        (a) => openStream(a.model, traced(options, a), a.signal),
        run,
      );
      outcome.target = s.target;
      outcome.ttftMs = performance.now() - t0;
      reply.hijack();
      const guard = scope.guard();
      const onHit = (hit: PolicyHit) => audit(scope, request, req.model, "output", hit, outcome);
      await pipeStream(
        reply,
        s,
        request.id,
        req.model,
        req.stream_options?.include_usage === true,
        outcome,
        guard && { guard, refusal: scope.refusal, onHit },
      );
    } catch (err) {
      if (failedOutcome(err, outcome, reply)) return;
      throw err;
    } finally {
      if (reservation) settleQuota(reservation, outcome, deps.prices, promptEstimate);
      // Recorded after the answer has gone out: metrics, the access line and the request-log row are not on
      // the client's clock.
      const totalMs = performance.now() - t0;
      traceOutcome(request, req.model, outcome); // now: the span ends when the response closes
      setImmediate(() => recordOutcome(deps, request, req.model, stream, outcome, totalMs));
    }
  };
}

/** The SSE response head, with the headers set on the reply so far (request id, market, target, policy). */
function writeSseHead(reply: FastifyReply) {
  reply.raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
}

/** Writes parts as SSE as they arrive, honouring backpressure; a silent or failing upstream ends it with an error event. */
async function pipeStream(
  reply: FastifyReply,
  s: Started<OpenedStream>,
  requestId: string,
  model: string,
  includeUsage: boolean,
  outcome: Outcome,
  policy?: { guard: StreamGuard; refusal: string; onHit: (hit: PolicyHit) => void },
): Promise<void> {
  const res = reply.raw;
  reply.header("x-benih-target", targetHeader(s.target));
  writeSseHead(reply);
  const encoder = new ChunkEncoder(`chatcmpl-${requestId}`, model, Math.floor(Date.now() / 1000), includeUsage);
  const { reader, head } = s.value;
  const provider = s.target.provider;
  // The first part goes out at once; parts that follow within the same tick (one upstream read often holds
  // several) leave together in one write instead of a system call each.
  let wrote = false;
  let corked = false;
  const uncork = () => {
    corked = false;
    if (!res.writableEnded) res.uncork();
  };
  const write = (text: string) => {
    if (!text) return undefined;
    if (wrote && !corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    wrote = true;
    return !res.write(text) && !res.destroyed
      ? new Promise<void>((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        })
      : undefined;
  };
  // Per token this loop must stay cheap: one watchdog timer re-armed lazily rather than a timer per part. An
  // abort (silence, client gone) cancels the reader, which ends a pending read even if the provider ignores its
  // signal, so the loop can never hang.
  const signal = s.controller.signal;
  let lastPartAt = performance.now();
  const watchdog = (): NodeJS.Timeout =>
    setTimeout(
      () => {
        if (performance.now() - lastPartAt >= s.idleTimeoutMs)
          s.controller.abort(new DOMException(`no data for ${s.idleTimeoutMs} ms`, "TimeoutError"));
        else timer = watchdog();
      },
      s.idleTimeoutMs - (performance.now() - lastPartAt),
    );
  let timer = watchdog();
  const cancelReader = () => void reader.cancel().catch(() => {});
  signal.addEventListener("abort", cancelReader, { once: true });
  const nextPart = async (): Promise<StreamPart | undefined> => {
    const buffered = head.shift();
    if (buffered) return buffered;
    try {
      const r = await reader.read();
      if (signal.aborted) return { type: "error", error: abortFailure(signal, provider) };
      return r.done ? undefined : r.value;
    } catch (err) {
      return { type: "error", error: signal.aborted ? abortFailure(signal, provider) : err };
    } finally {
      lastPartAt = performance.now();
    }
  };
  try {
    const clientGone = () => {
      outcome.status = 499;
      outcome.error = { code: "client_closed", message: "the client closed the connection mid-stream" };
    };
    for (;;) {
      if (res.destroyed) return clientGone(); // the close listener has aborted the upstream
      const part = await nextPart();
      if (!part || part.type === "error") {
        if (res.destroyed || signal.reason instanceof ClientGoneError) return clientGone();
        const err = (part?.type === "error" ? part.error : undefined) as { message?: string; kind?: string } | undefined;
        const message = err
          ? `${targetName(s.target)} failed mid-stream: ${err.message ?? String(err)}`
          : `${targetName(s.target)} ended the stream before it was complete`;
        const code = err?.kind === "timeout" ? "upstream_timeout" : "upstream_stream_error";
        outcome.status = err?.kind === "timeout" ? 504 : 502;
        outcome.error = { code, message };
        res.end(ChunkEncoder.error(message, "upstream_error", code));
        return;
      }
      if (part.type === "text-delta") outcome.answerChars = (outcome.answerChars ?? 0) + part.delta.length;
      if (policy && (part.type === "text-delta" || part.type === "finish")) {
        // Text goes out only once the guard has cleared it; a blocked term ends the answer with the refusal.
        const r = part.type === "text-delta" ? policy.guard.push(part.delta) : policy.guard.end();
        if (r.text) await write(encoder.encode({ type: "text-delta", delta: r.text }));
        if (r.hit) {
          policy.onHit(r.hit);
          const usage = part.type === "finish" ? part.usage : { inputTokens: undefined, outputTokens: undefined };
          res.end(
            encoder.encode({ type: "text-delta", delta: policy.refusal }) +
              encoder.encode({ type: "finish", finishReason: "content-filter", usage }),
          );
          return;
        }
        if (part.type === "text-delta") continue;
      }
      await write(encoder.encode(part));
      if (part.type === "finish") {
        outcome.usage = part.usage;
        res.end();
        return;
      }
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", cancelReader);
    s.release();
    if (!encoder.finished) {
      // Ended early (upstream error, client gone): make sure the upstream request stops too.
      if (!signal.aborted) s.controller.abort(new Error("benih stopped reading this stream"));
      void reader.cancel().catch(() => {});
    }
  }
}

/** The answer to a request that hit the content policy, in OpenAI's shape: the market's refusal, finish "content_filter". */
function refusal(id: string, model: string, text: string) {
  const body = toCompletionBody(id, model, Math.floor(Date.now() / 1000), {
    content: [{ type: "text", text }],
    finishReason: "content-filter",
    usage: { inputTokens: 0, outputTokens: 0 },
    warnings: [],
  });
  body.choices[0]!.message.refusal = text as never;
  return body;
}
