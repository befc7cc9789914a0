import type { StreamPart, Usage } from "@benih/spec";
import type { AttemptRecord, BufferedRequestLogWriter } from "@benih/store";
import type { FastifyReply, FastifyRequest } from "fastify";
import { GatewayError, modelNotFound } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { ChunkEncoder } from "../openai-wire/chunk-encoder.ts";
import { toCompletionBody } from "../openai-wire/completion.ts";
import { parseChatRequest } from "../openai-wire/parse-request.ts";
import { toCallOptions } from "../openai-wire/to-call-options.ts";
import type { PriceTable } from "../pricing.ts";
import { CancelSource } from "../routing/cancel-source.ts";
import { ClientGoneError, runWithFallback, type RetryPolicy, type Started } from "../routing/execute.ts";
import { targetName, type Router, type Target } from "../routing/router.ts";
import { abortFailure, openStream, raceAbort, type OpenedStream } from "../routing/stream-start.ts";

export interface ChatDeps {
  router: Router;
  policy: RetryPolicy;
  prices: PriceTable;
  metrics: GatewayMetrics;
  requestLog?: BufferedRequestLogWriter;
}

interface Outcome {
  status: number;
  target?: Target;
  attempts: AttemptRecord[];
  usage?: Usage;
  ttftMs?: number;
  error?: { code: string | null; message: string };
}

/** Fires when the client's connection closes before the answer was fully written. */
function clientGone(reply: FastifyReply): CancelSource {
  const source = new CancelSource();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) source.cancel();
  });
  return source;
}

export function chatCompletionsHandler(deps: ChatDeps) {
  return async function handle(request: FastifyRequest, reply: FastifyReply) {
    const t0 = performance.now();
    const req = parseChatRequest(request.body);
    const route = deps.router.resolve(req.model);
    if (!route) throw modelNotFound(req.model);
    const options = toCallOptions(req);
    const client = clientGone(reply);
    const stream = req.stream === true;
    const outcome: Outcome = { status: 200, attempts: [] };

    const finish = () => {
      const totalMs = performance.now() - t0;
      const target = outcome.target;
      const tName = target ? targetName(target) : "";
      const cost = target && outcome.usage ? deps.prices.cost(target.provider, target.model, outcome.usage) : null;
      deps.metrics.observeChat({
        model: req.model,
        target: tName,
        status: outcome.status,
        stream,
        totalMs,
        ttftMs: outcome.ttftMs,
        inputTokens: outcome.usage?.inputTokens,
        outputTokens: outcome.usage?.outputTokens,
        attempts: outcome.attempts,
      });
      const line = {
        model: req.model,
        target: tName || null,
        status: outcome.status,
        stream,
        attempts: outcome.attempts.length,
        inputTokens: outcome.usage?.inputTokens,
        outputTokens: outcome.usage?.outputTokens,
        ttftMs: outcome.ttftMs !== undefined ? Math.round(outcome.ttftMs) : undefined,
        ms: Math.round(totalMs),
      };
      if (outcome.status >= 500) request.log.warn({ ...line, error: outcome.error?.message }, "chat completion failed");
      else request.log.info(line, "chat completion");
      deps.requestLog?.write({
        id: request.id,
        created_at: Date.now(),
        api_key_id: request.principal?.keyId ?? null,
        endpoint: "/v1/chat/completions",
        model: req.model,
        target: target ? tName : null,
        attempts: outcome.attempts.filter((a) => a.outcome !== "skipped").length,
        status: outcome.status,
        error_code: outcome.error?.code ?? null,
        error_message: outcome.error?.message ?? null,
        stream: stream ? 1 : 0,
        input_tokens: outcome.usage?.inputTokens ?? null,
        output_tokens: outcome.usage?.outputTokens ?? null,
        ttft_ms: outcome.ttftMs ?? null,
        total_ms: totalMs,
        cost_usd: cost,
        attempt_log: JSON.stringify(outcome.attempts),
      });
    };

    const run = { attempts: outcome.attempts };
    try {
      if (!stream) {
        const s = await runWithFallback(
          deps.router,
          route,
          client,
          deps.policy,
          (a) => raceAbort(a.model.doGenerate({ ...options, abortSignal: a.signal }), a.signal, a.model.provider),
          run,
        );
        Object.assign(outcome, { target: s.target, usage: s.value.usage });
        s.release();
        reply.header("x-benih-target", targetName(s.target));
        return toCompletionBody(`chatcmpl-${request.id}`, req.model, Math.floor(Date.now() / 1000), s.value);
      }
      const s = await runWithFallback(deps.router, route, client, deps.policy, (a) => openStream(a.model, options, a.signal), run);
      outcome.target = s.target;
      outcome.ttftMs = performance.now() - t0;
      reply.hijack();
      await pipeStream(reply, s, request.id, req.model, req.stream_options?.include_usage === true, outcome);
    } catch (err) {
      if (err instanceof GatewayError) {
        outcome.status = err.status;
        outcome.error = { code: err.code, message: err.message };
      } else if (err instanceof ClientGoneError) {
        outcome.status = 499;
        outcome.error = { code: "client_closed", message: err.message };
        if (!reply.sent) reply.hijack();
        return;
      } else {
        outcome.status = 500;
      }
      throw err;
    } finally {
      finish();
    }
  };
}

/** Writes parts as SSE as they arrive, honouring backpressure; a silent or failing upstream ends it with an error event. */
async function pipeStream(
  reply: FastifyReply,
  s: Started<OpenedStream>,
  requestId: string,
  model: string,
  includeUsage: boolean,
  outcome: Outcome,
): Promise<void> {
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    "x-request-id": requestId,
    "x-benih-target": targetName(s.target),
  });
  const encoder = new ChunkEncoder(`chatcmpl-${requestId}`, model, Math.floor(Date.now() / 1000), includeUsage);
  const { reader, head } = s.value;
  const provider = s.target.provider;
  const write = (text: string) =>
    text && !res.write(text) && !res.destroyed
      ? new Promise<void>((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        })
      : undefined;
  // Per token this loop must stay cheap: one watchdog timer re-armed lazily rather than a timer per part. An
  // abort (silence, client gone) cancels the reader, which ends a pending read even if the provider ignores its
  // signal, so the loop can never hang.
  const signal = s.controller.signal;
  let lastPartAt = performance.now();
  const watchdog = (): NodeJS.Timeout =>
    setTimeout(() => {
      if (performance.now() - lastPartAt >= s.idleTimeoutMs) s.controller.abort(new DOMException(`no data for ${s.idleTimeoutMs} ms`, "TimeoutError"));
      else timer = watchdog();
    }, s.idleTimeoutMs - (performance.now() - lastPartAt));
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
    for (;;) {
      if (res.destroyed) return; // client gone: the close listener has aborted the upstream
      const part = await nextPart();
      if (!part || part.type === "error") {
        if (res.destroyed || s.controller.signal.reason instanceof ClientGoneError) return;
        const err = (part?.type === "error" ? part.error : undefined) as { message?: string; kind?: string } | undefined;
        const message = err
          ? `${targetName(s.target)} failed mid-stream: ${err.message ?? String(err)}`
          : `${targetName(s.target)} ended the stream before it was complete`;
        const code = err?.kind === "timeout" ? "upstream_timeout" : "upstream_stream_error";
        outcome.status = err?.kind === "timeout" ? 504 : 502;
        outcome.error = { code, message };
        outcome.usage = encoder.usage;
        res.end(ChunkEncoder.error(message, "upstream_error", code));
        return;
      }
      await write(encoder.encode(part));
      if (part.type === "finish") {
        outcome.usage = encoder.usage;
        res.end();
        return;
      }
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", cancelReader);
    s.release();
    if (!encoder.finished) {
      s.controller.abort(s.controller.signal.reason ?? abortFailure(s.controller.signal, provider));
      void reader.cancel().catch(() => {});
    }
  }
}
