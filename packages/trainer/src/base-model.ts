import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { GgufModelError, readLlamaGguf, type LlamaConfig } from "@benih/gguf";
import { flatten } from "./model/params.ts";
import { BpeTokenizer } from "./tokenizer/bpe.ts";

/** A model to continue training from, or to adapt with LoRA (frozen): weights, tokenizer and identity. */
export interface BaseModel {
  /** Its general.name. */
  name: string;
  file: string;
  /** Of the whole file: an adapter is tied to exactly these weights. */
  sha256: string;
  config: LlamaConfig;
  params: Float32Array;
  tokenizer: BpeTokenizer;
  /** How the matrices were stored (F32, F16, Q8_0: the latter two dequantised here). */
  storedAs: string;
}

/** Reads a llama-architecture GGUF to train from; a file benih cannot train from fails with the file and why. */
export function loadBaseModel(file: string): BaseModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new GgufModelError(file, `cannot be read: ${(e as Error).message}`);
  }
  const m = readLlamaGguf(bytes, file);
  const tokenizer = BpeTokenizer.ofVocabulary(m.tokenizer.tokens, m.tokenizer.merges);
  if (!tokenizer)
    throw new GgufModelError(
      file,
      "its vocabulary is not laid out as benih's byte-level BPE (256 byte tokens, one per merge, then the ChatML tokens), so training data cannot be encoded for it",
    );
  return {
    name: m.name,
    file,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    config: m.config,
    params: flatten(m.config, m.weights) as Float32Array,
    tokenizer,
    storedAs: m.storedAs,
  };
}
