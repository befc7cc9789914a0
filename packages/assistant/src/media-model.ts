import { GatewayError, scopeOf } from "@benih/gateway";
import type { FastifyRequest } from "fastify";

/**
 * Of the configured image or video models, the one a request asked for (by `provider/model` id or model name), or
 * the first its market's allow-list admits; 404 model_not_found when there is none it may use.
 */
export function allowedMediaModel<M extends { name: string; model: string }>(
  request: FastifyRequest,
  models: readonly M[],
  kind: "image" | "video" | "speech" | "transcription",
  wanted?: string,
): M {
  const allowed = models.filter((m) => !scopeOf(request).refuseTarget({ provider: m.name, model: m.model }));
  const m = wanted ? allowed.find((x) => `${x.name}/${x.model}` === wanted || x.model === wanted) : allowed[0];
  if (m) return m;
  throw new GatewayError(
    404,
    "invalid_request_error",
    wanted
      ? `The ${kind} model \`${wanted}\` does not exist or you do not have access to it.`
      : `No ${kind} model is allowed in this market.`,
    "model_not_found",
  );
}
