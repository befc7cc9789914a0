import type { TraceSpan, Tracer } from "../tracing/trace.ts";
import type { ChatModel, ProviderFailure } from "@benih/spec";
import type { AttemptRecord } from "@benih/contracts";
import { GatewayError } from "../errors.ts";
import { backoffMs, sleep } from "./backoff.ts";
import type { CancelSource } from "./cancel-source.ts";
import { asFailure, classify } from "./classify.ts";
import { targetName, type Route, type Router, type Target } from "./router.ts";

export interface RetryPolicy {
  timeoutMs: number;
  idleTimeoutMs: number;
  retries: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** A `retry-after` longer than this moves on to the next target instead of waiting. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  timeoutMs: 120_000,
  idleTimeoutMs: 60_000,
  retries: 1,
  backoffBaseMs: 250,
  backoffCapMs: 4_000,
  maxRetryAfterMs: 10_000,
};

export interface Attempt<M = ChatModel> {
  model: M;
  target: Target;
  /** Aborted on timeout, on client disconnect, or by the caller when it is done. */
  signal: AbortSignal;
  /** W3C trace context for the upstream request, when tracing is on: this attempt's span. */
  traceparent?: string;
}

export interface Started<T> {
  value: T;
  target: Target;
  attempts: AttemptRecord[];
  /** The successful attempt's controller: abort it to cancel the upstream (idle timeout, client gone). */
  controller: AbortController;
  idleTimeoutMs: number;
  /** Unlinks the client's disconnect from the controller once the answer is complete. */
  release(): void;
}

export class ClientGoneError extends Error {
  constructor() {
    super("the client closed the connection");
  }
}

const timeoutReason = (ms: number) => new DOMException(`no answer within ${ms} ms`, "TimeoutError");
const clientGoneReason = () => new ClientGoneError();
const abortOnTimeout = (controller: AbortController, ms: number) => controller.abort(timeoutReason(ms));

/**
 * Runs `call` against the route's targets in order: retries a target on connect errors, 429 and 5xx with
 * jittered backoff (honouring retry-after), then falls back to the next. `call` must resolve only once the
 * upstream has produced something for the client, so "before the first byte" is exactly "before it resolved".
 */
export function runWithFallback<T>(
  router: Router,
  route: Route,
  client: CancelSource,
  policy: RetryPolicy,
  call: (a: Attempt) => Promise<T>,
  opts: FallbackOptions = {},
): Promise<Started<T>> {
  return runOnTargets(route, (t) => router.chatModel(t), client, policy, call, opts);
}

export interface FallbackOptions {
  /** Filled as attempts happen, so the caller can log them whatever the outcome. */
  attempts?: AttemptRecord[];
  /** Excludes targets (market allow-lists); returns why, or undefined to allow. */
  exclude?: (t: Target) => string | undefined;
  /** With tracing on: a span per attempt under the request's, ended when the upstream answers or fails. */
  trace?: { tracer: Tracer; parent: TraceSpan };
  /** What the attempts' spans call the operation (OpenTelemetry's gen_ai.operation.name); "chat" by default. */
  operation?: string;
}

/** `runWithFallback` over any kind of model: `modelOf` gives a target's model (chat, embeddings) or why it has none. */
export async function runOnTargets<M, T>(
  route: Route,
  modelOf: (t: Target) => M | { missing: string },
  client: CancelSource,
  policy: RetryPolicy,
  call: (a: Attempt<M>) => Promise<T>,
  opts: FallbackOptions = {},
): Promise<Started<T>> {
  const operation = opts.operation ?? "chat";
  const attempts = opts.attempts ?? [];
  const exclude = opts.exclude;
  const failures: Array<{ target: string; failure?: ProviderFailure; reason: string }> = [];

  for (const target of route.targets) {
    const name = targetName(target);
    const excluded = exclude?.(target);
    const model = excluded ? undefined : modelOf(target);
    if (excluded || !model || (typeof model === "object" && "missing" in model)) {
      const reason = excluded ?? (model as { missing: string }).missing;
      attempts.push({ target: name, outcome: "skipped", reason, ms: 0 });
      failures.push({ target: name, reason });
      continue;
    }
    const retries = target.retries ?? policy.retries;
    const timeoutMs = target.timeoutMs ?? policy.timeoutMs;
    for (let n = 0; ; n++) {
      if (client.aborted) throw new ClientGoneError();
      const controller = new AbortController();
      client.link(controller, clientGoneReason);
      const timer = setTimeout(abortOnTimeout, timeoutMs, controller, timeoutMs);
      const t0 = performance.now();
      const span = opts.trace?.tracer.start(`${operation} ${name}`, {
        parent: opts.trace.parent,
        kind: "client",
        attributes: {
          "gen_ai.operation.name": operation,
          "gen_ai.system": target.provider,
          "gen_ai.request.model": target.model,
          "benih.try": n + 1,
        },
      });
      try {
        const value = await call({
          model: model as M,
          target,
          signal: controller.signal,
          ...(span && { traceparent: span.traceparent() }),
        });
        attempts.push({ target: name, outcome: "ok", ms: Math.round(performance.now() - t0) });
        span?.end();
        // The caller now owns the controller and the client-abort link; only the first-byte timer ends here.
        return {
          value,
          target,
          attempts,
          controller,
          idleTimeoutMs: target.idleTimeoutMs ?? policy.idleTimeoutMs,
          release: client.unlink.bind(client, controller),
        };
      } catch (err) {
        client.unlink(controller);
        if (client.aborted) throw new ClientGoneError();
        const failure = asFailure(err, target.provider);
        const cls = classify(failure);
        attempts.push({
          target: name,
          outcome: "error",
          ...(failure.status !== undefined && { status: failure.status }),
          reason: cls.reason,
          ms: Math.round(performance.now() - t0),
        });
        failures.push({ target: name, failure, reason: cls.reason });
        if (failure.status !== undefined) span?.set({ "http.response.status_code": failure.status });
        span?.fail(cls.reason);
        span?.end();
        if (!cls.fallback) throw upstreamRequestError(name, failure, cls.reason);
        if (!cls.retry || n >= retries) break;
        const wait = failure.retryAfterMs !== undefined ? failure.retryAfterMs : backoffMs(n, policy.backoffBaseMs, policy.backoffCapMs);
        if (wait > policy.maxRetryAfterMs) break;
        await sleep(wait, client).catch(() => {
          throw new ClientGoneError();
        });
      } finally {
        clearTimeout(timer);
      }
    }
  }
  throw exhausted(route, failures);
}

/** A 4xx from the upstream about the request itself: the client should see it, attributed. */
function upstreamRequestError(target: string, f: ProviderFailure, reason: string): GatewayError {
  const status = f.status ?? 400;
  const code = status === 404 ? "model_not_found" : "upstream_rejected_request";
  return new GatewayError(status, "invalid_request_error", `${target} rejected the request: ${reason}`, code);
}

function exhausted(route: Route, failures: Array<{ target: string; failure?: ProviderFailure; reason: string }>): GatewayError {
  const detail = failures.map((f) => `${f.target}: ${f.reason}`).join("; ");
  const tried = failures.filter((f) => f.failure);
  const message = `No target could serve model \`${route.model}\`. ${detail}`;
  if (!tried.length) return new GatewayError(503, "server_error", message, "no_target_available");
  const kinds = tried.map((f) => f.failure!);
  if (kinds.every((f) => f.kind === "http" && f.status === 429)) {
    const waits = kinds.map((f) => f.retryAfterMs).filter((x): x is number => x !== undefined);
    const retryAfter = waits.length ? Math.ceil(Math.min(...waits) / 1000) : undefined;
    return new GatewayError(429, "rate_limit_error", message, "upstream_rate_limited", null, retryAfter);
  }
  // Too long for every model that could take it: the prompt must shrink, whatever else a target lacked. OpenAI
  // answers this 400 context_length_exceeded, and clients look for exactly that.
  if (kinds.every((f) => f.kind === "unsupported" || f.kind === "too-long") && kinds.some((f) => f.kind === "too-long")) {
    return new GatewayError(400, "invalid_request_error", message, "context_length_exceeded");
  }
  if (kinds.every((f) => f.kind === "unsupported")) return new GatewayError(400, "invalid_request_error", message, "unsupported_by_model");
  if (kinds[kinds.length - 1]!.kind === "timeout") return new GatewayError(504, "timeout_error", message, "upstream_timeout");
  return new GatewayError(502, "upstream_error", message, "upstream_failed");
}
