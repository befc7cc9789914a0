import type { ChatModel } from "./chat-model.ts";
import type { EmbeddingModel } from "./embedding-model.ts";

export interface ModelInfo {
  id: string;
  ownedBy: string;
  created?: number;
  /** Tokens of context a request may use (prompt and answer together), where the provider knows it. */
  contextLength?: number;
  /** Languages the model answers in (BCP 47 codes: zh, en, id), where its card says. */
  languages?: string[];
  /** Questions it answers well, by language, where its card lists them. */
  examples?: Record<string, string[]>;
}

/** A moderation verdict on one text. */
export interface ModerationResult {
  flagged: boolean;
  /** The flagged categories, in the provider's words ("violence", "hate/threatening"). */
  categories: string[];
}

export interface Provider {
  /** The provider's instance name, e.g. "openai" or "ark"; model ids are routed as `<name>/<model>`. */
  readonly name: string;
  chatModel(modelId: string): ChatModel;
  /** A model that makes embeddings, where the provider has them (absent: none of its models can). */
  embeddingModel?(modelId: string): EmbeddingModel;
  /** The upstream's own model list, where the upstream has one. */
  listModels?(signal?: AbortSignal): Promise<ModelInfo[]>;
  /** Classifies a text with a moderation model (OpenAI's /v1/moderations), where the provider has one. */
  moderate?(modelId: string, input: string, signal?: AbortSignal): Promise<ModerationResult>;
  /** Release what the provider holds (loaded weights, sockets). */
  close?(): Promise<void>;
}
