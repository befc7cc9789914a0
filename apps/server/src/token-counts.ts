import type { TokenCount } from "@benih/assistant";
import { readGgufHeader } from "@benih/gguf";
import { BpeTokenizer } from "@benih/trainer";

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined);

/**
 * Counts tokens exactly as llama.cpp does for a GGUF with benih's byte-level BPE vocabulary (benih's own models), so
 * that prompts for a small context are fitted to it, not to one token per byte; undefined for any other file.
 */
export function ggufTokenCount(path: string): TokenCount | undefined {
  let meta: Map<string, unknown>;
  try {
    meta = readGgufHeader(path).metadata;
  } catch {
    return undefined;
  }
  if (meta.get("tokenizer.ggml.model") !== "gpt2") return undefined;
  const tokens = strings(meta.get("tokenizer.ggml.tokens"));
  const merges = strings(meta.get("tokenizer.ggml.merges"));
  const tokenizer = tokens && merges && BpeTokenizer.ofVocabulary(tokens, merges);
  return tokenizer ? (text) => tokenizer.encode(text).length : undefined;
}
