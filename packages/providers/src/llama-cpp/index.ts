import { basename } from "node:path";
import type { ModelInfo, Provider } from "@benih/spec";
import { llamaChatModel } from "./chat-model.ts";
import type { LlamaCppModelConfig, LlamaCppSettings } from "./config.ts";
import { plannedContextSize } from "./context-size.ts";
import { llamaEmbeddingModel } from "./embedding-model.ts";
import { LoadedModels } from "./loaded-models.ts";

export type { LlamaCppModelConfig, LlamaCppSettings } from "./config.ts";

export interface LlamaCppProvider extends Provider {
  preload(): Promise<void>;
  /** What a model id is served from now. */
  served(modelId: string): LlamaCppModelConfig | undefined;
  /**
   * Serves `model.id` from `model`'s files from now on, without a restart: the new files load first (files that
   * cannot be served change nothing), then new requests get them; requests under way finish on the model before.
   */
  serve(model: LlamaCppModelConfig): Promise<void>;
}

/** GGUF models run in this process by llama.cpp (node-llama-cpp), each loaded once and shared by its requests. */
export function createLlamaCpp(settings: LlamaCppSettings): LlamaCppProvider {
  const name = settings.name ?? "local";
  const configs = new Map(settings.models.map((m) => [m.id, m]));
  const models = new LoadedModels(name);
  /** Each model's context, read once from its file's header. */
  const contexts = new Map<string, Promise<number | undefined>>();
  return {
    name,
    chatModel: (modelId) => llamaChatModel(name, modelId, () => configs.get(modelId), models, settings),
    embeddingModel: (modelId) => llamaEmbeddingModel(name, modelId, configs.get(modelId), models),
    async listModels(): Promise<ModelInfo[]> {
      return Promise.all(
        [...configs.values()].map(async (m) => {
          if (!contexts.has(m.id)) contexts.set(m.id, plannedContextSize(m));
          const contextLength = await contexts.get(m.id);
          return {
            id: m.id,
            ownedBy: `${name}:${basename(m.adapter ?? m.path)}`,
            ...(contextLength !== undefined && { contextLength }),
            ...(m.languages && { languages: m.languages }),
            ...(m.examples && { examples: m.examples }),
          };
        }),
      );
    },
    async preload() {
      await Promise.all([...configs.values()].map((m) => models.load(m)));
    },
    served: (modelId) => configs.get(modelId),
    async serve(model) {
      if (!configs.has(model.id)) throw new Error(`no local model "${model.id}" to replace`);
      await models.replace(model);
      configs.set(model.id, model);
      contexts.delete(model.id);
    },
    close: () => models.close(),
  };
}
