import { decodeTensor, storedSize, tensorTypeName } from "./decode-tensor.ts";
import { headDim, type ByteLevelTokenizer, type LlamaConfig, type LlamaLayerWeights, type LlamaWeights } from "./llama.ts";
import { readGguf, type GgufInfo, type MetadataValue } from "./reader.ts";

/** A GGUF that benih cannot train from, with the file and the problem in its message. */
export class GgufModelError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "GgufModelError";
  }
}

export interface LlamaModelFile {
  name: string;
  config: LlamaConfig;
  weights: LlamaWeights;
  tokenizer: ByteLevelTokenizer;
  metadata: Map<string, MetadataValue>;
  /** The storage type of the largest matrices ("F32", "F16", "Q8_0"). */
  storedAs: string;
}

/** A tensor's values as Float32 (F32, F16 and Q8_0), its bytes checked to lie within the file. */
export function tensorValues(
  info: GgufInfo,
  bytes: Uint8Array,
  t: GgufInfo["tensors"][number],
  fail: (problem: string) => never,
): Float32Array {
  const n = t.dims.reduce((a, b) => a * b, 1);
  const size = storedSize(t.type, n) ?? fail(`tensor ${t.name} is ${tensorTypeName(t.type)}; benih reads F32, F16 and Q8_0`);
  const start = info.dataOffset + t.offset;
  if (!(start + size <= bytes.length)) fail(`tensor ${t.name} runs past the end of the file (truncated?)`);
  return decodeTensor(t.type, bytes.subarray(start, start + size), n);
}

/** GGUF tensor name of each layer matrix, in LlamaLayerWeights' terms. */
export const LAYER_TENSORS: Record<keyof LlamaLayerWeights, string> = {
  attnNorm: "attn_norm",
  wq: "attn_q",
  wk: "attn_k",
  wv: "attn_v",
  wo: "attn_output",
  ffnNorm: "ffn_norm",
  gate: "ffn_gate",
  up: "ffn_up",
  down: "ffn_down",
};

/** Rows × columns of each layer tensor (a norm is one row). */
export function layerShapes(c: LlamaConfig): Record<keyof LlamaLayerWeights, [number, number]> {
  const D = headDim(c);
  return {
    attnNorm: [1, c.dim],
    wq: [c.heads * D, c.dim],
    wk: [c.kvHeads * D, c.dim],
    wv: [c.kvHeads * D, c.dim],
    wo: [c.dim, c.heads * D],
    ffnNorm: [1, c.dim],
    gate: [c.ff, c.dim],
    up: [c.ff, c.dim],
    down: [c.dim, c.ff],
  };
}

/**
 * Reads a llama-architecture GGUF with a byte-level ("gpt2") BPE tokenizer and tied embeddings (what benih's
 * trainer trains) into Float32 weights: F32 as stored, F16 and Q8_0 dequantised. Anything else is refused with a
 * GgufModelError naming the file and what does not fit.
 */
export function readLlamaGguf(bytes: Uint8Array, file: string): LlamaModelFile {
  let info: GgufInfo;
  try {
    info = readGguf(bytes);
  } catch (e) {
    throw new GgufModelError(file, (e as Error).message);
  }
  const meta = info.metadata;
  const fail = (problem: string): never => {
    throw new GgufModelError(file, problem);
  };
  if (meta.get("general.type") === "adapter") fail("is a LoRA adapter, not a model: train from its base model");
  const arch = meta.get("general.architecture");
  if (arch !== "llama") fail(`architecture "${String(arch)}" is not supported: benih trains llama-architecture models`);
  const count = (key: string): number => {
    const raw = meta.get(key);
    const v = typeof raw === "bigint" ? Number(raw) : raw;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) fail(`metadata ${key} is missing or not a positive integer`);
    return v as number;
  };
  const config: LlamaConfig = {
    dim: count("llama.embedding_length"),
    layers: count("llama.block_count"),
    heads: count("llama.attention.head_count"),
    kvHeads: count(meta.has("llama.attention.head_count_kv") ? "llama.attention.head_count_kv" : "llama.attention.head_count"),
    ff: count("llama.feed_forward_length"),
    vocab: 0,
    contextLength: count("llama.context_length"),
    normEps: Number(meta.get("llama.attention.layer_norm_rms_epsilon") ?? 1e-5),
    ropeTheta: Number(meta.get("llama.rope.freq_base") ?? 10000),
  };
  if (config.dim % config.heads || config.heads % config.kvHeads || (config.dim / config.heads) % 2)
    fail(`dim ${config.dim}, ${config.heads} heads and ${config.kvHeads} kv heads do not split into even heads and groups`);
  const rot = meta.get("llama.rope.dimension_count");
  if (rot !== undefined && rot !== config.dim / config.heads)
    fail(`rope.dimension_count ${String(rot)} is not the head size ${config.dim / config.heads} (partial RoPE is not supported)`);

  if (meta.get("tokenizer.ggml.model") !== "gpt2")
    fail(`tokenizer "${String(meta.get("tokenizer.ggml.model"))}" is not supported: benih reads byte-level BPE ("gpt2") tokenizers`);
  const strings = (key: string): string[] => {
    const v = meta.get(key);
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) fail(`metadata ${key} is missing or not a list of strings`);
    return v as string[];
  };
  const tokens = strings("tokenizer.ggml.tokens");
  const types = meta.get("tokenizer.ggml.token_type");
  const tokenTypes = Array.isArray(types) ? types.map(Number) : tokens.map(() => 1);
  const merges = meta.has("tokenizer.ggml.merges") ? strings("tokenizer.ggml.merges") : [];
  const idOf = (key: string, fallback: string) => {
    const v = meta.get(key);
    return typeof v === "number" ? v : tokens.indexOf(fallback);
  };
  const tokenizer: ByteLevelTokenizer = {
    tokens,
    tokenTypes,
    merges,
    eosId: idOf("tokenizer.ggml.eos_token_id", "<|im_end|>"),
    bosId: idOf("tokenizer.ggml.bos_token_id", "<|endoftext|>"),
  };
  config.vocab = tokens.length;

  const byName = new Map(info.tensors.map((t) => [t.name, t]));
  const used = new Set<string>();
  let storedAs = "F32";
  const tensor = (name: string, rows: number, cols: number): Float32Array => {
    const t = byName.get(name) ?? fail(`tensor ${name} is missing`);
    used.add(name);
    const want = rows === 1 ? [cols] : [cols, rows];
    if (t.dims.length !== want.length || t.dims.some((d, i) => d !== want[i]))
      fail(`tensor ${name} has dims [${t.dims}], the metadata implies [${want}]`);
    if (rows > 1) storedAs = tensorTypeName(t.type);
    return tensorValues(info, bytes, t, fail);
  };
  if (byName.has("output.weight")) fail("has a separate output.weight: benih's trainer ties the output projection to the token embedding");
  const shapes = layerShapes(config);
  const weights: LlamaWeights = {
    tokenEmbedding: tensor("token_embd.weight", config.vocab, config.dim),
    layers: Array.from({ length: config.layers }, (_, i) => {
      const layer = {} as LlamaLayerWeights;
      for (const [key, [rows, cols]] of Object.entries(shapes) as Array<[keyof LlamaLayerWeights, [number, number]]>)
        layer[key] = tensor(`blk.${i}.${LAYER_TENSORS[key]}.weight`, rows, cols);
      return layer;
    }),
    finalNorm: tensor("output_norm.weight", 1, config.dim),
  };
  const unknown = info.tensors.filter((t) => !used.has(t.name)).map((t) => t.name);
  if (unknown.length) fail(`has tensors benih's llama layout does not know: ${unknown.slice(0, 5).join(", ")}`);
  const name = meta.get("general.name");
  return { name: typeof name === "string" ? name : file, config, weights, tokenizer, metadata: meta, storedAs };
}
