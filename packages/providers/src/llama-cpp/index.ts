import { basename } from "node:path";
import type { ModelInfo, Provider } from "@benih/spec";
import { llamaChatModel } from "./chat-model.ts";
import type { LlamaCppSettings } from "./config.ts";
import { LoadedModels } from "./loaded-models.ts";

export type { LlamaCppModelConfig, LlamaCppSettings } from "./config.ts";

/** GGUF models run in this process by llama.cpp (node-llama-cpp), each loaded once and shared by its requests. */
export function createLlamaCpp(settings: LlamaCppSettings): Provider & { preload(): Promise<void> } {
  const name = settings.name ?? "local";
  const configs = new Map(settings.models.map((m) => [m.id, m]));
  const models = new LoadedModels(name);
  return {
    name,
    chatModel: (modelId) => llamaChatModel(name, modelId, configs.get(modelId), models, settings),
    async listModels(): Promise<ModelInfo[]> {
      return settings.models.map((m) => ({ id: m.id, ownedBy: `${name}:${basename(m.path)}` }));
    },
    async preload() {
      await Promise.all(settings.models.map((m) => models.load(m)));
    },
    close: () => models.close(),
  };
}
