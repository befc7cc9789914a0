import type { EmbedOptions, EmbedResult, EmbeddingLimits, EmbeddingModel } from "@benih/spec";
import type { LlamaEmbeddingContext, Token } from "node-llama-cpp";
import { ProviderFailureError, failureFromThrown } from "../shared/provider-failure.ts";
import type { LlamaCppModelConfig } from "./config.ts";
import type { Loaded, LoadedModels } from "./loaded-models.ts";
import { tooLong } from "./request-checks.ts";
import { unitVector } from "./unit-vector.ts";

/** The vocabulary's size, from the GGUF's token list; undefined when the file does not list it. */
function vocabularySize(state: Loaded): number | undefined {
  const tokens = (state.model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: unknown } } }).tokenizer?.ggml?.tokens;
  return Array.isArray(tokens) ? tokens.length : undefined;
}

/**
 * The embedding context has the chat context's size; node-llama-cpp refuses an input as long as the context (it
 * needs one position past it), so one token less fits.
 */
const maxInputTokensOf = (state: Loaded) => state.context.contextSize - 1;

/**
 * An input as the model's tokens, checked to fit before any evaluation: a text hopelessly long by its bytes is refused
 * before tokenising (0.3 s a megabyte on the event loop), token ids outside the vocabulary are refused (llama.cpp
 * would read past its tables).
 */
function tokensOf(provider: string, modelId: string, state: Loaded, input: string | number[], index: number, max: number): Token[] {
  const unsupported = (message: string) => new ProviderFailureError({ kind: "unsupported", provider, message });
  if (typeof input === "string") {
    const atLeast = Math.ceil(Buffer.byteLength(input) / state.maxTokenBytes);
    if (atLeast > max)
      throw tooLong(provider, `input[${index}] is at least ${atLeast} tokens; model ${modelId} embeds at most ${max} tokens per input`);
    return state.model.tokenize(input);
  }
  const size = vocabularySize(state);
  const bad = input.find((t) => !Number.isInteger(t) || t < 0 || (size !== undefined && t >= size));
  if (bad !== undefined) throw unsupported(`input[${index}] has token ${bad}, which is not in the vocabulary of model ${modelId}`);
  return input as Token[];
}

/** Embeddings from a local GGUF model through node-llama-cpp's embedding context. */
export function llamaEmbeddingModel(
  provider: string,
  modelId: string,
  cfg: LlamaCppModelConfig | undefined,
  models: LoadedModels,
): EmbeddingModel {
  const embedder = () => {
    if (!cfg) throw new ProviderFailureError({ kind: "http", status: 404, provider, message: `no local model "${modelId}"` });
    return models.embedder(cfg);
  };
  return {
    specificationVersion: "benih-1",
    provider,
    modelId,
    async limits(): Promise<EmbeddingLimits> {
      const { state, letGo } = await embedder();
      letGo();
      return { dimensions: state.model.embeddingVectorSize, maxInputTokens: maxInputTokensOf(state) };
    },
    async doEmbed(o: EmbedOptions): Promise<EmbedResult> {
      const { state, embedding, letGo } = await embedder();
      try {
        return await embed(o, state, embedding);
      } finally {
        letGo();
      }
    },
  };

  async function embed(o: EmbedOptions, state: Loaded, embedding: LlamaEmbeddingContext): Promise<EmbedResult> {
    const size = state.model.embeddingVectorSize;
    if (o.dimensions !== undefined && o.dimensions > size)
      throw new ProviderFailureError({
        kind: "unsupported",
        provider,
        message: `model ${modelId} gives vectors of ${size} dimensions; ${o.dimensions} were asked for`,
      });
    const max = maxInputTokensOf(state);
    // Every input is checked before the first is evaluated: a request is refused whole, not half done.
    const inputs = o.inputs.map((input, i) => {
      const tokens = tokensOf(provider, modelId, state, input, i, max);
      const length = embedding.calculateInputLength(tokens);
      if (length > max) throw tooLong(provider, `input[${i}] is ${length} tokens; model ${modelId} embeds at most ${max} tokens per input`);
      return { tokens, length };
    });
    const embeddings: number[][] = [];
    let inputTokens = 0;
    for (const { tokens, length } of inputs) {
      if (o.abortSignal?.aborted) throw failureFromThrown(provider, o.abortSignal.reason, o.abortSignal);
      try {
        // A copy: node-llama-cpp adds the model's begin and end tokens to the array it is given.
        const { vector } = await embedding.getEmbeddingFor(tokens.slice());
        embeddings.push(unitVector(vector, o.dimensions));
      } catch (err) {
        throw new ProviderFailureError({
          kind: "internal",
          provider,
          message: `llama.cpp failed: ${(err as Error).message}`,
          cause: err,
        });
      }
      inputTokens += length;
    }
    return { embeddings, usage: { inputTokens } };
  }
}
