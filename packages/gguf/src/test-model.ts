import { byteLevelTokenizer, llamaToGguf, randomLlamaWeights, type LlamaConfig } from "./llama.ts";
import { TensorType, ValueType } from "./types.ts";

export interface TestModelOptions {
  name?: string;
  seed?: number;
  type?: TensorType;
  config?: Partial<Omit<LlamaConfig, "vocab">>;
  description?: string;
  /** The chat template; ChatML with benih's tool calls unless given. */
  chatTemplate?: string;
}

/**
 * A small random-weight llama model with a byte-level tokenizer and ChatML: what tests, benchmarks and the
 * untrained placeholder are made of. Same options, same bytes.
 */
export function writeTestModel(o: TestModelOptions = {}): Uint8Array {
  const tokenizer = byteLevelTokenizer();
  const config: LlamaConfig = {
    dim: 64,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    ff: 128,
    contextLength: 512,
    ...o.config,
    vocab: tokenizer.tokens.length,
  };
  return llamaToGguf({
    name: o.name ?? "benih-test",
    config,
    weights: randomLlamaWeights(config, o.seed ?? 1),
    tokenizer,
    type: o.type ?? TensorType.F32,
    ...(o.chatTemplate !== undefined && { chatTemplate: o.chatTemplate }),
    extraMetadata: o.description ? [{ key: "general.description", type: ValueType.STRING, value: o.description }] : [],
  });
}
