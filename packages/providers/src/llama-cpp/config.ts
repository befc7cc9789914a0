export interface LlamaCppModelConfig {
  /** The id clients use, e.g. "benih-tiny-global". */
  id: string;
  /** Path of the GGUF file. */
  path: string;
  /**
   * Path of a LoRA adapter GGUF trained on `path` (llama.cpp's adapter format, as `benih train --recipe tiny-lora`
   * writes): the model served is the base with it applied. Models sharing a base share its weights in memory.
   */
  adapter?: string;
  /** Tokens per sequence; defaults to the model's training context, at most 4096. */
  contextSize?: number;
  /** How many requests run at once; more wait in a queue. */
  sequences?: number;
  /**
   * CPU threads. Defaults to 1 for small files: on tiny models extra threads cost more in synchronisation than
   * they win (measured ~100× slower with 2 threads on a 2-core machine); larger models get all cores.
   */
  threads?: number;
  /** Languages it answers in, and questions it answers well by language (from its model card). */
  languages?: string[];
  examples?: Record<string, string[]>;
  /** Used when a request gives no temperature, before the provider's default (from its model card). */
  defaultTemperature?: number;
}

export interface LlamaCppSettings {
  name?: string;
  models: LlamaCppModelConfig[];
  /** Used when a request gives no temperature (llama.cpp server's default). */
  defaultTemperature?: number;
}
