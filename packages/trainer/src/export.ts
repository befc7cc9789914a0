import { llamaToGguf, loraAdapterToGguf, TensorType, ValueType, type LlamaConfig, type MetadataEntry } from "@benih/gguf";
import type { BaseModel } from "./base-model.ts";
import type { Vec } from "./model/kernels.ts";
import type { LoraLayout } from "./model/lora.ts";
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
  return llamaToGguf({
    name: card.name,
    config,
    weights: unflatten(config, params),
    tokenizer: tokenizer.vocab,
    type,
    extraMetadata: cardMetadata(card),
  });
}

/** A LoRA run's adapter in llama.cpp's format, tied by name and hash to the base it was trained on. */
export function exportLoraAdapter(layout: LoraLayout, adapter: Vec, base: BaseModel, card: ModelCard): Uint8Array {
  const { rank, alpha, targets } = layout.settings;
  return loraAdapterToGguf(
    { name: card.name, architecture: "llama", rank, alpha, base: { name: base.name, sha256: base.sha256 }, pairs: layout.pairs(adapter) },
    [...cardMetadata(card), { key: "benih.lora.targets", type: ValueType.STRING, value: targets.join(",") }],
  );
}

function cardMetadata(card: ModelCard): MetadataEntry[] {
  const str = (key: string, value: string): MetadataEntry => ({ key, type: ValueType.STRING, value });
  const u64 = (key: string, value: number): MetadataEntry => ({ key, type: ValueType.UINT64, value: BigInt(Math.round(value)) });
  const f32 = (key: string, value: number): MetadataEntry => ({ key, type: ValueType.FLOAT32, value });
  return [
    str("general.description", card.description),
    str("general.license", "Apache-2.0"),
    str("benih.recipe", card.recipe),
    str("benih.dataset", card.dataset),
    u64("benih.steps", card.steps),
    u64("benih.tokens_seen", card.tokensSeen),
    f32("benih.final_loss", card.finalLoss),
    f32("benih.wall_seconds", card.wallSeconds),
  ];
}
