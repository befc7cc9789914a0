import { bytesToUnicode, CHATML_TEMPLATE, CHATML_TOKENS } from "./byte-level-bpe.ts";
import { seededNormal } from "./prng.ts";
import { TensorType, ValueType, type MetadataEntry, type TensorEntry } from "./types.ts";
import { writeGguf } from "./writer.ts";

export interface LlamaConfig {
  dim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  ff: number;
  vocab: number;
  contextLength: number;
  normEps?: number;
  ropeTheta?: number;
}

/** Row-major weights: a matrix `W[out][in]` is `out` rows of `in` values. */
export interface LlamaLayerWeights {
  attnNorm: Float32Array; // [dim]
  wq: Float32Array; // [heads·hd][dim]
  wk: Float32Array; // [kv·hd][dim]
  wv: Float32Array; // [kv·hd][dim]
  wo: Float32Array; // [dim][heads·hd]
  ffnNorm: Float32Array; // [dim]
  gate: Float32Array; // [ff][dim]
  up: Float32Array; // [ff][dim]
  down: Float32Array; // [dim][ff]
}

export interface LlamaWeights {
  tokenEmbedding: Float32Array; // [vocab][dim]
  layers: LlamaLayerWeights[];
  finalNorm: Float32Array; // [dim]
  /** Omitted: the output projection is tied to the token embedding. */
  output?: Float32Array; // [vocab][dim]
}

export interface ByteLevelTokenizer {
  tokens: string[];
  /** 1 = normal, 3 = control, as llama.cpp numbers token types. */
  tokenTypes: number[];
  merges: string[];
  eosId: number;
  bosId: number;
}

/**
 * 256 byte tokens, then one token per merge that makes a new string (two merges can spell the same token, e.g.
 * "ab"+"c" and "a"+"bc"; it gets one id), then the ChatML control tokens.
 */
export function byteLevelTokenizer(merges: string[] = []): ByteLevelTokenizer {
  const tokens = bytesToUnicode();
  const seen = new Set(tokens);
  for (const m of merges) {
    const [a, b, extra] = m.split(" ");
    if (a === undefined || b === undefined || extra !== undefined) throw new Error(`merge "${m}" is not two tokens separated by a space`);
    if (!seen.has(a + b)) {
      seen.add(a + b);
      tokens.push(a + b);
    }
  }
  const tokenTypes = tokens.map(() => 1);
  for (const t of CHATML_TOKENS) {
    tokens.push(t);
    tokenTypes.push(3);
  }
  return { tokens, tokenTypes, merges, eosId: tokens.indexOf("<|im_end|>"), bosId: tokens.indexOf("<|endoftext|>") };
}

export function headDim(c: LlamaConfig): number {
  if (c.dim % c.heads) throw new Error(`dim ${c.dim} is not a multiple of heads ${c.heads}`);
  if (c.heads % c.kvHeads) throw new Error(`heads ${c.heads} is not a multiple of kvHeads ${c.kvHeads}`);
  return c.dim / c.heads;
}

/** Deterministic random weights (scaled normal), for tests and placeholders. Norm weights are 1. */
export function randomLlamaWeights(c: LlamaConfig, seed: number): LlamaWeights {
  const normal = seededNormal(seed);
  const hd = headDim(c);
  const mat = (rows: number, cols: number) => {
    const a = new Float32Array(rows * cols);
    const scale = 1 / Math.sqrt(cols);
    for (let i = 0; i < a.length; i++) a[i] = normal() * scale;
    return a;
  };
  const ones = (n: number) => new Float32Array(n).fill(1);
  return {
    tokenEmbedding: mat(c.vocab, c.dim),
    layers: Array.from({ length: c.layers }, () => ({
      attnNorm: ones(c.dim),
      wq: mat(c.heads * hd, c.dim),
      wk: mat(c.kvHeads * hd, c.dim),
      wv: mat(c.kvHeads * hd, c.dim),
      wo: mat(c.dim, c.heads * hd),
      ffnNorm: ones(c.dim),
      gate: mat(c.ff, c.dim),
      up: mat(c.ff, c.dim),
      down: mat(c.dim, c.ff),
    })),
    finalNorm: ones(c.dim),
  };
}

export interface LlamaGgufOptions {
  name: string;
  config: LlamaConfig;
  weights: LlamaWeights;
  tokenizer: ByteLevelTokenizer;
  /** Storage type of the 2-D matrices; norms stay F32 as llama.cpp expects. */
  type?: TensorType;
  /** Extra `general.*` keys: description, license, and the model card fields. */
  extraMetadata?: MetadataEntry[];
  /** The Jinja chat template; CHATML_TEMPLATE (ChatML with benih's tool calls) unless given. */
  chatTemplate?: string;
}

const FILE_TYPE: Record<TensorType, number> = { [TensorType.F32]: 0, [TensorType.F16]: 1, [TensorType.Q8_0]: 7 };

/** A llama-architecture GGUF with a byte-level "gpt2" tokenizer and a ChatML chat template. */
export function llamaToGguf(o: LlamaGgufOptions): Uint8Array {
  const { config: c, weights: w, tokenizer: tok } = o;
  const hd = headDim(c);
  if (tok.tokens.length !== c.vocab) {
    throw new Error(`tokenizer has ${tok.tokens.length} tokens but the config says vocab ${c.vocab}`);
  }
  const type = o.type ?? TensorType.F32;
  const u32 = (key: string, value: number): MetadataEntry => ({ key, type: ValueType.UINT32, value });
  const metadata: MetadataEntry[] = [
    { key: "general.architecture", type: ValueType.STRING, value: "llama" },
    { key: "general.name", type: ValueType.STRING, value: o.name },
    u32("general.file_type", FILE_TYPE[type]),
    u32("general.quantization_version", 2),
    u32("llama.context_length", c.contextLength),
    u32("llama.embedding_length", c.dim),
    u32("llama.block_count", c.layers),
    u32("llama.feed_forward_length", c.ff),
    u32("llama.attention.head_count", c.heads),
    u32("llama.attention.head_count_kv", c.kvHeads),
    u32("llama.rope.dimension_count", hd),
    { key: "llama.rope.freq_base", type: ValueType.FLOAT32, value: c.ropeTheta ?? 10000 },
    { key: "llama.attention.layer_norm_rms_epsilon", type: ValueType.FLOAT32, value: c.normEps ?? 1e-5 },
    { key: "tokenizer.ggml.model", type: ValueType.STRING, value: "gpt2" },
    { key: "tokenizer.ggml.pre", type: ValueType.STRING, value: "gpt-2" },
    { key: "tokenizer.ggml.tokens", type: ValueType.ARRAY, itemType: ValueType.STRING, value: tok.tokens },
    { key: "tokenizer.ggml.token_type", type: ValueType.ARRAY, itemType: ValueType.INT32, value: tok.tokenTypes },
    { key: "tokenizer.ggml.merges", type: ValueType.ARRAY, itemType: ValueType.STRING, value: tok.merges },
    u32("tokenizer.ggml.bos_token_id", tok.bosId),
    u32("tokenizer.ggml.eos_token_id", tok.eosId),
    { key: "tokenizer.ggml.add_bos_token", type: ValueType.BOOL, value: false },
    { key: "tokenizer.chat_template", type: ValueType.STRING, value: o.chatTemplate ?? CHATML_TEMPLATE },
    ...(o.extraMetadata ?? []),
  ];
  const m = (name: string, data: Float32Array, rows: number, cols: number): TensorEntry => ({
    name,
    dims: [cols, rows],
    data,
    type,
  });
  const v = (name: string, data: Float32Array): TensorEntry => ({ name, dims: [data.length], data });
  const tensors: TensorEntry[] = [m("token_embd.weight", w.tokenEmbedding, c.vocab, c.dim)];
  w.layers.forEach((l, i) => {
    const p = `blk.${i}.`;
    tensors.push(
      v(`${p}attn_norm.weight`, l.attnNorm),
      m(`${p}attn_q.weight`, l.wq, c.heads * hd, c.dim),
      m(`${p}attn_k.weight`, l.wk, c.kvHeads * hd, c.dim),
      m(`${p}attn_v.weight`, l.wv, c.kvHeads * hd, c.dim),
      m(`${p}attn_output.weight`, l.wo, c.dim, c.heads * hd),
      v(`${p}ffn_norm.weight`, l.ffnNorm),
      m(`${p}ffn_gate.weight`, l.gate, c.ff, c.dim),
      m(`${p}ffn_up.weight`, l.up, c.ff, c.dim),
      m(`${p}ffn_down.weight`, l.down, c.dim, c.ff),
    );
  });
  tensors.push(v("output_norm.weight", w.finalNorm));
  if (w.output) tensors.push(m("output.weight", w.output, c.vocab, c.dim));
  return writeGguf(metadata, tensors);
}
