import type { ChatModel } from "./chat-model.ts";

export interface ModelInfo {
  id: string;
  ownedBy: string;
  created?: number;
  contextLength?: number;
}

export interface Provider {
  /** The provider's instance name, e.g. "openai" or "ark"; model ids are routed as `<name>/<model>`. */
  readonly name: string;
  chatModel(modelId: string): ChatModel;
  /** The upstream's own model list, where the upstream has one. */
  listModels?(signal?: AbortSignal): Promise<ModelInfo[]>;
  /** Release what the provider holds (loaded weights, sockets). */
  close?(): Promise<void>;
}
