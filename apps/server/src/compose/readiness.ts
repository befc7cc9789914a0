import { access } from "@benih/gateway";
import type { FastifyInstance } from "fastify";

export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
}

/** A check that has not answered in this long counts as failed: a readiness probe must answer, not hang. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Whether this instance should be sent requests: not shutting down, and every store (and Redis, with quotas on
 * it) answering. `/health` says only that the process is alive.
 */
export class Readiness {
  private _draining = false;

  constructor(private readonly checks: ReadinessCheck[]) {}

  get draining(): boolean {
    return this._draining;
  }

  /** From now on the instance says it is not ready, so load balancers stop sending it requests. */
  drain(): void {
    this._draining = true;
  }

  async state(): Promise<{
    ready: boolean;
    status: "ready" | "draining" | "unavailable";
    failed?: Array<{ name: string; error: string }>;
  }> {
    if (this._draining) return { ready: false, status: "draining" };
    const results = await Promise.all(
      this.checks.map(async ({ name, check }) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
        });
        try {
          await Promise.race([check(), timeout]);
          return undefined;
        } catch (err) {
          return { name, error: (err as Error).message.slice(0, 200) };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const failed = results.filter((r): r is { name: string; error: string } => !!r);
    return failed.length ? { ready: false, status: "unavailable", failed } : { ready: true, status: "ready" };
  }
}

/**
 * `/ready`, naming the instance that answers (the holder of its leases in the shared store). While draining, every
 * response closes its connection, so that a load balancer's kept-alive connections are gone before the server stops
 * taking requests (one sent on such a connection then would be refused with 503 instead of going elsewhere).
 */
export function registerReadiness(app: FastifyInstance, readiness: Readiness, instance: string): void {
  app.addHook("onRequest", (_request, reply, done) => {
    if (readiness.draining) reply.raw.shouldKeepAlive = false;
    done();
  });
  app.get("/ready", access("public"), async (_request, reply) => {
    const state = await readiness.state();
    return reply.code(state.ready ? 200 : 503).send({ ...state, instance });
  });
}
