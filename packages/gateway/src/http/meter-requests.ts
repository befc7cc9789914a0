import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { QuotaGate } from "../quota/quota-gate.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The quota gate, on a `metered` request of a caller (not the server's own call): what it uses beyond the request. */
    meteredBy?: QuotaGate;
  }
}

/**
 * Counts each call of a `metered` route (the assistant's answers, images, videos) as one request against the
 * caller's quota, before its body is read: over `requestsPerMinute` it is refused with the 429 chat completions
 * get. Its model calls through the gateway then count their tokens and cost, not another request.
 */
export function meterRequests(app: FastifyInstance, quota: QuotaGate): void {
  app.addHook("onRequest", (request, reply, done) => {
    if (!request.routeOptions.config.metered || request.internal || !request.scope) return done();
    request.meteredBy = quota;
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

/** A metered request's hold on audio seconds: `settle` with what was really heard or spoken; `undo` on failure. */
export interface AudioSecondsHold {
  settle(seconds: number): void;
  undo(): void;
}

const nothingHeld: AudioSecondsHold = { settle: () => {}, undo: () => {} };

/**
 * Holds `seconds` of audio (a recording's length, the speech a text will make) against the caller's
 * audioSecondsPerDay before the work starts: refused with the 429 (or the 503 when the counters are away), else
 * the rate-limit headers go on the reply. Nothing is held for a caller without that limit, or on a server without
 * quotas.
 */
export async function holdAudioSeconds(request: FastifyRequest, reply: FastifyReply, seconds: number): Promise<AudioSecondsHold> {
  const gate = request.meteredBy;
  // Only a limit on audio seconds is worth a trip to the counters (which may be Redis, and may be away).
  const limited = gate && request.scope && gate.limitsOf(request.principal, request.scope)?.audioSecondsPerDay !== undefined;
  const held =
    limited &&
    request.scope &&
    gate.reserve(request.principal, request.scope, () => ({ requests: 0, tokens: 0, costUsd: 0, audioSeconds: seconds }));
  if (!held) return nothingHeld;
  const r = await held;
  reply.headers(r.headers);
  return {
    settle: (used) => r.settle({ tokens: 0, costUsd: 0, audioSeconds: used }),
    undo: () => r.settle({ tokens: 0, costUsd: 0, audioSeconds: 0 }),
  };
}
