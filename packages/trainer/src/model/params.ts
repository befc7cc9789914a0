import { headDim, type LlamaConfig, type LlamaLayerWeights, type LlamaWeights } from "@benih/gguf";
import type { Vec } from "./kernels.ts";

export type Precision = "f32" | "f64";
export const alloc = (p: Precision, n: number): Vec => (p === "f32" ? new Float32Array(n) : new Float64Array(n));

/** Sizes of every parameter tensor, in buffer order: embedding, each layer's nine tensors, final norm. */
export function parameterShapes(c: LlamaConfig) {
  const D = headDim(c);
  const { dim: C, heads: H, kvHeads: KV, ff: F, vocab: V } = c;
  const layer = {
    attnNorm: C,
    wq: H * D * C,
    wk: KV * D * C,
    wv: KV * D * C,
    wo: C * H * D,
    ffnNorm: C,
    gate: F * C,
    up: F * C,
    down: C * F,
  } satisfies Record<keyof LlamaLayerWeights, number>;
  return { tokenEmbedding: V * C, layer, layers: c.layers, finalNorm: C };
}

export function parameterCount(c: LlamaConfig): number {
  const s = parameterShapes(c);
  return s.tokenEmbedding + s.layers * Object.values(s.layer).reduce((a, b) => a + b, 0) + s.finalNorm;
}

type Flat = Vec | Uint8Array;

export interface ParamViews<A extends Flat = Vec> {
  tokenEmbedding: A;
  layers: Array<Record<keyof LlamaLayerWeights, A>>;
  finalNorm: A;
}

/**
 * Named views into one flat buffer (llm.c's layout: all parameters, or all gradients, or a per-parameter mask, in
 * one allocation).
 */
export function carve<A extends Flat>(c: LlamaConfig, buf: A): ParamViews<A> {
  const s = parameterShapes(c);
  let at = 0;
  const take = (n: number) => buf.subarray(at, (at += n)) as A;
  const tokenEmbedding = take(s.tokenEmbedding);
  const layers = Array.from({ length: s.layers }, () => {
    const l = {} as Record<keyof LlamaLayerWeights, A>;
    for (const [name, n] of Object.entries(s.layer)) l[name as keyof LlamaLayerWeights] = take(n);
    return l;
  });
  const finalNorm = take(s.finalNorm);
  if (at !== buf.length) throw new Error(`parameter buffer has ${buf.length} values, the config needs ${at}`);
  return { tokenEmbedding, layers, finalNorm };
}

/** Copies weights in the GGUF writer's form into a flat buffer. */
export function flatten(c: LlamaConfig, w: LlamaWeights, p: Precision = "f32"): Vec {
  const buf = alloc(p, parameterCount(c));
  const v = carve(c, buf);
  v.tokenEmbedding.set(w.tokenEmbedding);
  w.layers.forEach((l, i) => {
    for (const key of Object.keys(v.layers[i]!) as Array<keyof LlamaLayerWeights>) v.layers[i]![key].set(l[key]);
  });
  v.finalNorm.set(w.finalNorm);
  return buf;
}

/** The GGUF writer's form of a flat buffer, as Float32 copies (export, parity checks). */
export function unflatten(c: LlamaConfig, buf: Vec): LlamaWeights {
  const v = carve(c, buf);
  const f32 = (x: Vec) => Float32Array.from(x);
  return {
    tokenEmbedding: f32(v.tokenEmbedding),
    layers: v.layers.map((l) => Object.fromEntries(Object.entries(l).map(([k, x]) => [k, f32(x)])) as unknown as LlamaLayerWeights),
    finalNorm: f32(v.finalNorm),
  };
}
