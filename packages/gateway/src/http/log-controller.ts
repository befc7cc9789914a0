import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

/**
 * One line per request instead of Fastify's two: chat completions log their own line (model, target, tokens,
 * timings) when they finish; other requests log method, path, status and time. Health checks only at debug.
 */
export class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest) {
    request.log.debug({ method: request.method, url: request.url }, "request");
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply) {
    if (request.url === "/v1/chat/completions" && request.method === "POST") return;
    const line = { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) reply.log.error({ ...line, err: error }, "request failed");
    else if (request.url === "/health") reply.log.debug(line, "request");
    else reply.log.info(line, "request");
  }
}
