/** One input to embed: a text, or token ids of the model's own vocabulary (OpenAI's `input` takes both). */
export type EmbeddingInput = string | number[];

export interface EmbedOptions {
  inputs: EmbeddingInput[];
  /** Fewer dimensions than the model gives, where the model can shorten its vectors. */
  dimensions?: number;
  /** Passed on to an upstream that tracks end users (OpenAI's `user`). */
  user?: string;
  abortSignal?: AbortSignal;
  /** Extra request headers (a trace context). */
  headers?: Record<string, string>;
}

export interface EmbedResult {
  /** One vector per input, in the inputs' order. */
  embeddings: number[][];
  /** Tokens the model read, where it says. */
  usage: { inputTokens?: number };
}

/** What a model is known to take before any call: local models know it; an upstream's is learnt from its answers. */
export interface EmbeddingLimits {
  /** The length of the vectors it gives. */
  dimensions: number;
  /** The most tokens one input may have. */
  maxInputTokens: number;
}

/** A model that turns texts into vectors (OpenAI's /v1/embeddings). Failures are `ProviderFailure`s, as for chat. */
export interface EmbeddingModel {
  readonly specificationVersion: "benih-1";
  readonly provider: string;
  readonly modelId: string;
  limits?(): Promise<EmbeddingLimits>;
  doEmbed(options: EmbedOptions): Promise<EmbedResult>;
}
