import type { FastifyInstance } from "fastify";
import type { TraceSpan, Tracer } from "../tracing/trace.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** This request's span, when tracing is on. */
    span?: TraceSpan;
  }
}

/**
 * A server span per request, under the caller's `traceparent` when it sends one, named after the route it matched
 * and ended when the response closes (finished or cut), with its status.
 */
export function traceRequests(app: FastifyInstance, tracer: Tracer): void {
  app.addHook("onRequest", (request, reply, done) => {
    const route = request.routeOptions.url ?? "(no route)";
    const parent = request.headers.traceparent;
    const span = tracer.start(`${request.method} ${route}`, {
      parent: typeof parent === "string" ? parent : undefined,
      kind: "server",
      attributes: { "http.request.method": request.method, "http.route": route, "benih.request_id": request.id },
    });
    request.span = span;
    reply.raw.once("close", () => {
      span.set({ "http.response.status_code": reply.statusCode });
      if (reply.statusCode >= 500) span.fail(`HTTP ${reply.statusCode}`);
      span.end();
    });
    done();
  });
}
