import { llamaToGguf, TensorType, ValueType, type LlamaConfig, type MetadataEntry } from "@benih/gguf";
import type { Vec } from "./model/kernels.ts";
import { unflatten } from "./model/params.ts";
import type { BpeTokenizer } from "./tokenizer/bpe.ts";

export interface ModelCard {
  name: string;
  description: string;
  recipe: string;
  dataset: string;
  steps: number;
  tokensSeen: number;
  finalLoss: number;
  wallSeconds: number;
}

/**
 * The GGUF llama.cpp serves: weights, the dataset's tokenizer, the ChatML template, and the model card as
 * `general.*` and `benih.*` metadata.
 */
export function exportGguf(
  config: LlamaConfig,
  params: Vec,
  tokenizer: BpeTokenizer,
  card: ModelCard,
  type: TensorType = TensorType.F32,
): Uint8Array {
  const str = (key: string, value: string): MetadataEntry => ({ key, type: ValueType.STRING, value });
  const u64 = (key: string, value: number): MetadataEntry => ({ key, type: ValueType.UINT64, value: BigInt(Math.round(value)) });
  const f32 = (key: string, value: number): MetadataEntry => ({ key, type: ValueType.FLOAT32, value });
  return llamaToGguf({
    name: card.name,
    config,
    weights: unflatten(config, params),
    tokenizer: tokenizer.vocab,
    type,
    extraMetadata: [
      str("general.description", card.description),
      str("general.license", "Apache-2.0"),
      str("benih.recipe", card.recipe),
      str("benih.dataset", card.dataset),
      u64("benih.steps", card.steps),
      u64("benih.tokens_seen", card.tokensSeen),
      f32("benih.final_loss", card.finalLoss),
      f32("benih.wall_seconds", card.wallSeconds),
    ],
  });
}
