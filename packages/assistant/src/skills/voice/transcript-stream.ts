import { auditHit, GatewayError, scopeOf, type PolicyHit } from "@benih/gateway";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { TranscriptEvent } from "./providers/provider.ts";

const sse = (data: object) => `data: ${JSON.stringify(data)}\n\n`;
const errorEvent = (message: string, type: string, code: string) => sse({ type: "error", error: { message, type, param: null, code } });

/**
 * Passes a provider's streamed transcript on as OpenAI's server-sent events (`transcript.text.delta`, then
 * `transcript.text.done`), each delta once the market's content policy has cleared it, as chat streams are: a
 * blocked term ends the stream with an error event carrying the market's refusal (the words before it were
 * already sent; the term itself is not), and the hit is audited. A provider failing mid-stream ends it with an
 * error event too. Resolves with whether the transcript came whole.
 */
export async function relayTranscript(
  request: FastifyRequest,
  reply: FastifyReply,
  events: AsyncIterable<TranscriptEvent>,
  model: string,
): Promise<boolean> {
  const scope = scopeOf(request);
  const guard = scope.guard();
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  const refuse = (hit: PolicyHit) => {
    auditHit(scope, request, model, "output", hit);
    res.end(
      errorEvent(scope.refusal || `This is not allowed here (${hit.category}).`, "invalid_request_error", "content_policy_violation"),
    );
    return false;
  };
  try {
    for await (const e of events) {
      if (res.destroyed) return false;
      if (e.type === "delta") {
        const cleared = guard ? guard.push(e.delta) : { text: e.delta };
        if (cleared.text) res.write(sse({ type: "transcript.text.delta", delta: cleared.text }));
        if (cleared.hit) return refuse(cleared.hit);
        continue;
      }
      const rest = guard?.end();
      if (rest?.text) res.write(sse({ type: "transcript.text.delta", delta: rest.text }));
      // The whole transcript too: a provider's done text may hold words its deltas did not.
      const hit = rest?.hit ?? scope.scan(e.text);
      if (hit) return refuse(hit);
      res.end(sse({ type: "transcript.text.done", text: e.text, ...(e.usage !== undefined && { usage: e.usage }) }));
      return true;
    }
    res.end(errorEvent(`${model} ended the stream before the transcript was complete`, "upstream_error", "upstream_stream_error"));
  } catch (err) {
    if (!res.destroyed) {
      const e = err instanceof GatewayError ? err : undefined;
      res.end(errorEvent(e?.message ?? `${model} failed mid-stream`, e?.type ?? "upstream_error", e?.code ?? "upstream_stream_error"));
    }
  }
  return false;
}
