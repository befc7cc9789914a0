import type { LlamaCppModelConfig } from "./config.ts";

/** The context benih gives a model at most, whatever it was trained with (memory grows with it). */
export const MAX_CONTEXT = 4096;

/** The context a model is given: its configured size, within what it was trained with and MAX_CONTEXT. */
export const contextSizeOf = (cfg: LlamaCppModelConfig, trainContextSize: number): number =>
  Math.min(cfg.contextSize ?? trainContextSize, trainContextSize, MAX_CONTEXT);

/**
 * The context a model will be given, from its GGUF file's header alone (no weights loaded, no native code);
 * undefined when the header does not say (or the file cannot be read).
 */
export async function plannedContextSize(cfg: LlamaCppModelConfig): Promise<number | undefined> {
  try {
    const { readGgufFileInfo } = await import("node-llama-cpp");
    const info = await readGgufFileInfo(cfg.path, {
      readTensorInfo: false,
      sourceType: "filesystem",
      logWarnings: false,
      ignoreKeys: ["tokenizer.ggml.tokens", "tokenizer.ggml.merges", "tokenizer.ggml.token_type", "tokenizer.ggml.scores"],
    });
    const trained = info.architectureMetadata.context_length;
    return typeof trained === "number" && trained > 0 ? contextSizeOf(cfg, trained) : undefined;
  } catch {
    return undefined;
  }
}
