import { headDim, type LlamaConfig, type LlamaWeights } from "@benih/gguf";

// The reference forward pass of benih's llama recipe, written for clarity: it is what the GGUF export must
// reproduce in llama.cpp (the parity test) and what the trainer's gradients are checked against.
//
// Shapes: T = tokens, C = dim, H = heads, KV = kv heads, D = C / H (head dim), F = ff, V = vocab.
// Matrices are row-major W[out][in], as LlamaWeights stores them.

/** out[o] = Σ_i W[o][i] · x[i] */
export function matvec(W: Float32Array, x: Float32Array, rows: number, cols: number, out = new Float32Array(rows)): Float32Array {
  for (let o = 0; o < rows; o++) {
    let acc = 0;
    const base = o * cols;
    for (let i = 0; i < cols; i++) acc += W[base + i]! * x[i]!;
    out[o] = acc;
  }
  return out;
}

export function rmsnorm(x: Float32Array, w: Float32Array, eps: number): Float32Array {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i]! * x[i]!;
  const scale = 1 / Math.sqrt(ss / x.length + eps);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * scale * w[i]!;
  return out;
}

/** Rotates each head's adjacent pairs (2i, 2i+1) by pos·θ^(−2i/D), in place: llama.cpp's "norm" RoPE. */
export function rope(v: Float32Array, heads: number, D: number, pos: number, theta: number): void {
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < D / 2; i++) {
      const angle = pos * theta ** ((-2 * i) / D);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const a = h * D + 2 * i;
      const x0 = v[a]!;
      const x1 = v[a + 1]!;
      v[a] = x0 * c - x1 * s;
      v[a + 1] = x0 * s + x1 * c;
    }
  }
}

export function softmax(x: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of x) if (v > max) max = v;
  const out = new Float32Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += out[i] = Math.exp(x[i]! - max);
  for (let i = 0; i < x.length; i++) out[i]! /= sum;
  return out;
}

/** Logits at every position, [T][V] flattened. */
export function forward(c: LlamaConfig, w: LlamaWeights, tokens: number[]): Float32Array {
  const C = c.dim;
  const H = c.heads;
  const KV = c.kvHeads;
  const D = headDim(c);
  const F = c.ff;
  const V = c.vocab;
  const T = tokens.length;
  const eps = c.normEps ?? 1e-5;
  const theta = c.ropeTheta ?? 10000;
  const group = H / KV;

  const x = tokens.map((tok) => {
    if (tok < 0 || tok >= V) throw new Error(`token ${tok} is outside the vocabulary (${V})`);
    return w.tokenEmbedding.slice(tok * C, (tok + 1) * C);
  });
  for (const L of w.layers) {
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    for (let t = 0; t < T; t++) {
      const xn = rmsnorm(x[t]!, L.attnNorm, eps);
      const q = matvec(L.wq, xn, H * D, C);
      const k = matvec(L.wk, xn, KV * D, C);
      rope(q, H, D, t, theta);
      rope(k, KV, D, t, theta);
      keys.push(k);
      values.push(matvec(L.wv, xn, KV * D, C));
      const att = new Float32Array(H * D);
      for (let h = 0; h < H; h++) {
        const kvh = Math.floor(h / group);
        const scores = new Float32Array(t + 1);
        for (let j = 0; j <= t; j++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[h * D + d]! * keys[j]![kvh * D + d]!;
          scores[j] = dot / Math.sqrt(D);
        }
        const p = softmax(scores);
        for (let j = 0; j <= t; j++) for (let d = 0; d < D; d++) att[h * D + d]! += p[j]! * values[j]![kvh * D + d]!;
      }
      const o = matvec(L.wo, att, C, H * D);
      for (let i = 0; i < C; i++) x[t]![i]! += o[i]!;
    }
    for (let t = 0; t < T; t++) {
      const xn = rmsnorm(x[t]!, L.ffnNorm, eps);
      const g = matvec(L.gate, xn, F, C);
      const u = matvec(L.up, xn, F, C);
      for (let i = 0; i < F; i++) g[i] = (g[i]! / (1 + Math.exp(-g[i]!))) * u[i]!; // SwiGLU: silu(gate) · up
      const d = matvec(L.down, g, C, F);
      for (let i = 0; i < C; i++) x[t]![i]! += d[i]!;
    }
  }
  const logits = new Float32Array(T * V);
  const out = w.output ?? w.tokenEmbedding;
  for (let t = 0; t < T; t++) matvec(out, rmsnorm(x[t]!, w.finalNorm, eps), V, C, logits.subarray(t * V, (t + 1) * V));
  return logits;
}
