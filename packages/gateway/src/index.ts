export { createGatewayApp, type GatewayAppOptions } from "./http/app.ts";
export {
  access,
  declareAll,
  enforceAccess,
  metered,
  routeTable,
  scopeOf,
  type Access,
  type AccessOptions,
  type RouteEntry,
} from "./http/access.ts";
export { isVisible } from "./http/models.ts";
export { gatewayOpenApi } from "./openapi.ts";
export {
  Authenticator,
  checkOrigin,
  cookieValue,
  hostName,
  isLocalHost,
  isOperator,
  presentedKey,
  sessionCookieName,
  sessionCookieOf,
  subjectOf,
  type Principal,
} from "./http/auth.ts";
export { Router, targetName, type Route, type Target } from "./routing/router.ts";
export { defaultRetryPolicy, runOnTargets, runWithFallback, type RetryPolicy } from "./routing/execute.ts";
export { ModelCatalog, type CatalogEntry } from "./catalog.ts";
export { PriceTable, type Price } from "./pricing.ts";
export { GatewayMetrics } from "./metrics.ts";
export { GatewayError } from "./errors.ts";
export { auditHit, refuseBlocked, refuseBlockedOutput } from "./http/refuse-blocked.ts";
export { holdAudioSeconds, type AudioSecondsHold } from "./http/meter-requests.ts";
export { parseChatRequest } from "./openai-wire/parse-request.ts";
export { defaultPromptBudget, type PromptBudget } from "./openai-wire/prompt-budget.ts";
export { defaultEmbeddingBudget, type EmbeddingBudget } from "./openai-wire/parse-embeddings.ts";
export { embeddingsRequest, embeddingsResponse, type EmbeddingsRequest, type EmbeddingsResponse } from "./openai-wire/embeddings-schema.ts";
export { defaultJsonBudget, type JsonBudget } from "./http/json-body.ts";
export { toCallOptions } from "./openai-wire/to-call-options.ts";
export { openScope, type RequestScope, type ResolveScope, type ScopeRequest, type StreamGuard, type PolicyHit } from "./scope.ts";
export type {
  ApiKeyLookup,
  KeyRecord,
  KeyRole,
  Person,
  PolicyAuditSink,
  QuotaPolicy,
  RequestLogSink,
  OwnerLookup,
  SessionLookup,
  SessionRecord,
} from "./ports.ts";
export { QuotaGate, type QuotaAmounts, type Reservation } from "./quota/quota-gate.ts";
export { MemoryCounters } from "./quota/memory-counters.ts";
export { RedisCounters } from "./quota/redis-counters.ts";
export { LimitsByMarket } from "./quota/limits-by-market.ts";
export type { QuotaCounters, CounterAsk } from "./quota/counters.ts";
export { idParam, notFound, parse, wholeQuery } from "./http/request-input.ts";
export { traced, tracesEndpoint, type SpanAttributes, type TraceSpan, type Tracer } from "./tracing/trace.ts";
