import type { FastifyInstance } from "fastify";
import type { QuotaGate } from "../quota/quota-gate.ts";

/**
 * Counts each call of a `metered` route (the assistant's answers, images, videos) as one request against the
 * caller's quota, before its body is read: over `requestsPerMinute` it is refused with the 429 chat completions
 * get. Its model calls through the gateway then count their tokens and cost, not another request.
 */
export function meterRequests(app: FastifyInstance, quota: QuotaGate): void {
  app.addHook("onRequest", (request, reply, done) => {
    if (!request.routeOptions.config.metered || request.internal || !request.scope) return done();
    const held = quota.reserve(request.principal, request.scope, () => ({ requests: 1, tokens: 0, costUsd: 0 }));
    if (!held) return done();
    held.then(
      (r) => {
        reply.headers(r.headers);
        done();
      },
      (err: Error) => done(err),
    );
  });
}
