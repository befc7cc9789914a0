import { encodeEvent } from "@benih/contracts";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * Takes over the reply as a stream of server-sent events: `send(event, data)` writes one (nothing once the client
 * has gone), `keepalive()` a comment that clients ignore (what proxies that cut idle streams need to see while
 * nothing else is sent), `end()` closes it, and `gone` is aborted when the client goes away before the end.
 */
export function openEventStream(request: FastifyRequest, reply: FastifyReply) {
  const gone = new AbortController();
  reply.raw.once("close", () => reply.raw.writableFinished || gone.abort());
  reply.hijack();
  reply.raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-request-id": request.id,
    ...(request.scope?.market && { "x-benih-market": request.scope.market }),
  });
  return {
    gone: gone.signal,
    send: (event: string, data: unknown) => void (reply.raw.writableEnded || reply.raw.write(encodeEvent({ event, data }))),
    keepalive: () => void (reply.raw.writableEnded || reply.raw.write(": keepalive\n\n")),
    end: () => reply.raw.end(),
  };
}
