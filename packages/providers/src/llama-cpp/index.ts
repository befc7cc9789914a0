import { basename } from "node:path";
import type { ModelInfo, Provider } from "@benih/spec";
import { llamaChatModel } from "./chat-model.ts";
import type { LlamaCppSettings } from "./config.ts";
import { plannedContextSize } from "./context-size.ts";
import { llamaEmbeddingModel } from "./embedding-model.ts";
import { LoadedModels } from "./loaded-models.ts";

export type { LlamaCppModelConfig, LlamaCppSettings } from "./config.ts";

/** GGUF models run in this process by llama.cpp (node-llama-cpp), each loaded once and shared by its requests. */
export function createLlamaCpp(settings: LlamaCppSettings): Provider & { preload(): Promise<void> } {
  const name = settings.name ?? "local";
  const configs = new Map(settings.models.map((m) => [m.id, m]));
  const models = new LoadedModels(name);
  /** Each model's context, read once from its file's header. */
  const contexts = new Map<string, Promise<number | undefined>>();
  return {
    name,
    chatModel: (modelId) => llamaChatModel(name, modelId, configs.get(modelId), models, settings),
    embeddingModel: (modelId) => llamaEmbeddingModel(name, modelId, configs.get(modelId), models),
    async listModels(): Promise<ModelInfo[]> {
      return Promise.all(
        settings.models.map(async (m) => {
          if (!contexts.has(m.id)) contexts.set(m.id, plannedContextSize(m));
          const contextLength = await contexts.get(m.id);
          return {
            id: m.id,
            ownedBy: `${name}:${basename(m.path)}`,
            ...(contextLength !== undefined && { contextLength }),
            ...(m.languages && { languages: m.languages }),
            ...(m.examples && { examples: m.examples }),
          };
        }),
      );
    },
    async preload() {
      await Promise.all(settings.models.map((m) => models.load(m)));
    },
    close: () => models.close(),
  };
}
