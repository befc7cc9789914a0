import { randomBytes } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { ModelCatalog } from "../catalog.ts";
import { GatewayError } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { RequestLogSink } from "../ports.ts";
import type { PriceTable } from "../pricing.ts";
import type { RetryPolicy } from "../routing/execute.ts";
import type { Router } from "../routing/router.ts";
import { access, enforceAccess } from "./access.ts";
import { meterRequests } from "./meter-requests.ts";
import { traceRequests } from "./trace-requests.ts";
import type { Tracer } from "../tracing/trace.ts";
import type { Authenticator } from "./auth.ts";
import { chatCompletionsHandler } from "./chat-completions.ts";
import { EMBEDDINGS_PATH, embeddingsHandler } from "./embeddings.ts";
import { defaultEmbeddingBudget, type EmbeddingBudget } from "../openai-wire/parse-embeddings.ts";
import { defaultPromptBudget, type PromptBudget } from "../openai-wire/prompt-budget.ts";
import { parseJsonBodies, type JsonBudget } from "./json-body.ts";
import { AccessLog } from "./log-controller.ts";
import { registerModelRoutes } from "./models.ts";
import { afterDraining } from "./linger.ts";
import { openScope, type ResolveScope } from "../scope.ts";
import type { QuotaGate } from "../quota/quota-gate.ts";

export interface GatewayAppOptions {
  router: Router;
  catalog: ModelCatalog;
  prices: PriceTable;
  policy: RetryPolicy;
  auth: Authenticator;
  metrics: GatewayMetrics;
  requestLog?: RequestLogSink;
  /** A pino logger; requests are logged with their id. Omitted: no logging. */
  logger?: FastifyBaseLogger;
  /** The secret the server's own calls send as x-benih-internal (see AccessOptions). */
  internalToken?: string;
  /** Host names besides this machine's own that an open loopback server answers (see AccessOptions). */
  knownHost?: (host: string) => boolean;
  /** POST requests one API key may have open at once (default 8). */
  concurrentPerKey?: number;
  /** What one chat request may ask a model to read. */
  promptBudget?: PromptBudget;
  /** What one embeddings request may hold (inputs, body bytes). */
  embeddingBudget?: EmbeddingBudget;
  /** What a JSON body may hold, and when it is parsed off the event loop. */
  jsonBudget?: JsonBudget;
  /** Largest accepted request body in bytes (images travel inline as data URLs). */
  bodyLimit?: number;
  /** Which market a request belongs to; without it every request gets the open scope (and `requestLog`). */
  resolveScope?: ResolveScope;
  /** The region an agent token speaks for (routes with access "agent"); without it agent routes refuse everyone. */
  agentRegion?: (token: string | undefined) => string | undefined;
  /** Quotas and budgets per subject (requests per minute, tokens per day, cost per month); omitted: none. */
  quota?: QuotaGate;
  /** OpenTelemetry traces (a span per request and per upstream attempt); omitted: off, at no cost. */
  tracer?: Tracer;
  /** Extra routes (the server adds its own); each declares its access. Called before the app is ready. */
  extend?: (app: FastifyInstance) => void;
}

// Unique per process start (random prefix) and cheap per request (a counter): ids are generated on the hot path.
const idPrefix = `req_${randomBytes(6).toString("base64url")}`;
let idCounter = 0;
const newRequestId = () => `${idPrefix}${(idCounter++).toString(36).padStart(6, "0")}`;

/** Fastify's own 4xx errors (bad JSON, body too large, wrong content type) in OpenAI's shape. */
function fromFastifyError(err: { statusCode?: number; code?: string; message: string }): GatewayError | undefined {
  const status = err.statusCode;
  if (!status || status >= 500) return undefined;
  if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return new GatewayError(413, "invalid_request_error", "The request body is too large.", "request_too_large");
  }
  if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return new GatewayError(415, "invalid_request_error", "Send the request body as application/json.", "unsupported_media_type");
  }
  if (err.code?.startsWith("FST_ERR_CTP_") || /JSON/i.test(err.message)) {
    return new GatewayError(
      400,
      "invalid_request_error",
      `We could not parse the JSON body of your request: ${err.message}`,
      "invalid_json",
    );
  }
  return new GatewayError(status, "invalid_request_error", err.message, err.code ?? null);
}

export function createGatewayApp(o: GatewayAppOptions): FastifyInstance {
  const app = Fastify({
    ...(o.logger ? { loggerInstance: o.logger, logController: new AccessLog() } : { logger: false }),
    bodyLimit: o.bodyLimit ?? 20 * 1024 * 1024,
    genReqId: newRequestId,
    return503OnClosing: true,
    // Bad JSON with __proto__ or constructor.prototype is refused rather than merged.
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
  });

  const open = openScope(o.requestLog);
  // The API speaks JSON only; a text body is a client mistake worth a 415, not a confusing 400.
  app.removeContentTypeParser("text/plain");
  parseJsonBodies(app, o.jsonBudget);

  // Callback-style hooks: on the hot path an async hook costs a promise and a microtask turn per request.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  if (o.tracer) traceRequests(app, o.tracer);

  enforceAccess(app, {
    auth: o.auth,
    resolveScope: o.resolveScope ?? (() => open),
    ...(o.agentRegion && { agentRegion: o.agentRegion }),
    ...(o.concurrentPerKey !== undefined && { concurrentPerKey: o.concurrentPerKey }),
    ...(o.internalToken && { internalToken: o.internalToken }),
    ...(o.knownHost && { knownHost: o.knownHost }),
  });

  if (o.quota) meterRequests(app, o.quota);

  app.setErrorHandler((err, request, reply) => {
    const e = err instanceof GatewayError ? err : fromFastifyError(err as never);
    if (e) {
      if (e.retryAfter !== undefined) reply.header("retry-after", String(e.retryAfter));
      if (e.headers) reply.headers(e.headers);
      if (e.status >= 500) request.log.warn({ err: e.message, code: e.code }, "request failed upstream");
      // Refused by its declared length, before a byte was read: let the client finish sending so it reads the 413.
      if (e.code === "request_too_large" && !request.raw.complete) {
        afterDraining(request.raw, () => reply.code(e.status).send(e.toBody()));
        return reply;
      }
      return reply.code(e.status).send(e.toBody());
    }
    request.log.error({ err }, "unhandled error");
    return reply
      .code(500)
      .send(new GatewayError(500, "server_error", `The server had an error processing your request (request id ${request.id}).`).toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(
        new GatewayError(
          404,
          "invalid_request_error",
          `Unknown request URL: ${request.method} ${request.url.split("?")[0]}.`,
          "unknown_url",
        ).toBody(),
      );
  });

  registerModelRoutes(app, o.catalog, o.router);
  app.post("/v1/chat/completions", access("person"), chatCompletionsHandler({ ...o, promptBudget: o.promptBudget ?? defaultPromptBudget }));
  const embeddingBudget = o.embeddingBudget ?? defaultEmbeddingBudget;
  // Its own body limit, below the server's (which makes room for images): a body too large is refused unread.
  app.post(
    EMBEDDINGS_PATH,
    {
      config: { access: "person", serverWork: true },
      bodyLimit: Math.min(embeddingBudget.bodyBytes, o.bodyLimit ?? Number.POSITIVE_INFINITY),
    },
    embeddingsHandler({ ...o, embeddingBudget }),
  );

  app.get("/health", access("public"), async () => ({ status: "ok" }));
  app.get("/metrics", access("admin"), async (_request, reply) => {
    reply.header("content-type", o.metrics.registry.contentType);
    return o.metrics.registry.metrics();
  });

  o.extend?.(app);
  return app;
}
