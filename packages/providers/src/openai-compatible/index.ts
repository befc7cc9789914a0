import type { ModelInfo, Provider } from "@benih/spec";
import { failureFromResponse, failureFromThrown } from "../shared/provider-failure.ts";
import { transportFor, type HttpResponse } from "../shared/transport.ts";
import { OpenAICompatibleChatModel } from "./chat-model.ts";
import { defaultCapabilities, defaultQuirks, type OpenAICompatibleSettings } from "./settings.ts";

export { OpenAICompatibleChatModel } from "./chat-model.ts";
export { toOpenAIMessages, toOpenAIRequest } from "./to-openai-request.ts";
export { defaultQuirks, type OpenAICompatibleSettings, type Quirks } from "./settings.ts";

export function createOpenAICompatible(settings: OpenAICompatibleSettings): Provider {
  const quirks = { ...defaultQuirks, ...settings.quirks };
  const capabilities = { ...defaultCapabilities, ...settings.capabilities };
  const transport = transportFor(settings.fetch);
  return {
    name: settings.name,
    chatModel: (modelId) => new OpenAICompatibleChatModel(modelId, settings, quirks, capabilities),
    async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
      let res: HttpResponse;
      try {
        res = await transport(`${settings.baseURL.replace(/\/+$/, "")}/models`, {
          method: "GET",
          headers: { ...(settings.apiKey && { authorization: `Bearer ${settings.apiKey}` }), ...settings.headers },
          ...(signal && { signal }),
        });
      } catch (err) {
        throw failureFromThrown(settings.name, err, signal);
      }
      if (res.status !== 200) throw await failureFromResponse(settings.name, res);
      const body = (await res.json()) as { data?: Array<{ id?: unknown; owned_by?: unknown; created?: unknown }> };
      return (body.data ?? []).flatMap((m) =>
        typeof m.id === "string"
          ? [{ id: m.id, ownedBy: typeof m.owned_by === "string" ? m.owned_by : settings.name, ...(typeof m.created === "number" && { created: m.created }) }]
          : [],
      );
    },
  };
}
