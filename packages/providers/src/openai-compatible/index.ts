import type { ModelInfo, ModerationResult, Provider } from "@benih/spec";
import { failureFromResponse, failureFromThrown } from "../shared/provider-failure.ts";
import { transportFor, type HttpResponse } from "../shared/transport.ts";
import { OpenAICompatibleChatModel } from "./chat-model.ts";
import { openAICompatibleEmbeddingModel } from "./embedding-model.ts";
import { defaultCapabilities, defaultQuirks, type OpenAICompatibleSettings } from "./settings.ts";

export { OpenAICompatibleChatModel } from "./chat-model.ts";
export { toOpenAIMessages, toOpenAIRequest } from "./to-openai-request.ts";
export { defaultQuirks, type OpenAICompatibleSettings, type Quirks } from "./settings.ts";

export function createOpenAICompatible(settings: OpenAICompatibleSettings): Provider {
  const quirks = { ...defaultQuirks, ...settings.quirks };
  const capabilities = { ...defaultCapabilities, ...settings.capabilities };
  const transport = transportFor(settings.fetch);
  const base = settings.baseURL.replace(/\/+$/, "");
  const auth = { ...(settings.apiKey && { authorization: `Bearer ${settings.apiKey}` }), ...settings.headers };
  return {
    name: settings.name,
    chatModel: (modelId) => new OpenAICompatibleChatModel(modelId, settings, quirks, capabilities),
    embeddingModel: (modelId) => openAICompatibleEmbeddingModel(modelId, settings),
    async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
      let res: HttpResponse;
      try {
        res = await transport(`${base}/models`, {
          method: "GET",
          headers: auth,
          ...(signal && { signal }),
        });
      } catch (err) {
        throw failureFromThrown(settings.name, err, signal);
      }
      if (res.status !== 200) throw await failureFromResponse(settings.name, res);
      const body = (await res.json()) as { data?: Array<{ id?: unknown; owned_by?: unknown; created?: unknown }> };
      return (body.data ?? []).flatMap((m) =>
        typeof m.id === "string"
          ? [
              {
                id: m.id,
                ownedBy: typeof m.owned_by === "string" ? m.owned_by : settings.name,
                ...(typeof m.created === "number" && { created: m.created }),
              },
            ]
          : [],
      );
    },
    async moderate(modelId: string, input: string, signal?: AbortSignal): Promise<ModerationResult> {
      let res: HttpResponse;
      try {
        res = await transport(`${base}/moderations`, {
          method: "POST",
          headers: { "content-type": "application/json", ...auth },
          body: JSON.stringify({ model: modelId, input }),
          ...(signal && { signal }),
        });
      } catch (err) {
        throw failureFromThrown(settings.name, err, signal);
      }
      if (res.status !== 200) throw await failureFromResponse(settings.name, res);
      const body = (await res.json()) as { results?: Array<{ flagged?: unknown; categories?: Record<string, unknown> }> };
      const first = body.results?.[0];
      if (!first || typeof first.flagged !== "boolean")
        throw failureFromThrown(settings.name, new Error("the moderation answer has no results[0].flagged"));
      return { flagged: first.flagged, categories: Object.entries(first.categories ?? {}).flatMap(([k, v]) => (v === true ? [k] : [])) };
    },
  };
}
