// Forward and backward kernels of benih's llama recipe, llm.c style: each layer a *_forward / *_backward pair over
// flat arrays, backward functions accumulating (+=) into gradient buffers. They work on Float32Array for training
// and Float64Array for the gradient check alike.
//
// Shape legend: B = batch, T = time (sequence), C = channels (dim), H = heads, KV = kv heads, D = head dim,
// F = feed-forward width, V = vocab, N = B·T rows. Matrices are row-major W[out][in].

export type Vec = Float32Array | Float64Array;

/** out[N][O] = inp[N][I] · W[O][I]ᵀ */
export function matmulForward(out: Vec, inp: Vec, W: Vec, N: number, I: number, O: number): void {
  for (let n = 0; n < N; n++) {
    const xi = n * I;
    const yo = n * O;
    for (let o = 0; o < O; o++) {
      const wo = o * I;
      let acc = 0;
      for (let i = 0; i < I; i++) acc += inp[xi + i]! * W[wo + i]!;
      out[yo + o] = acc;
    }
  }
}

/** dinp[N][I] += dout[N][O] · W[O][I];  dW[O][I] += dout[N][O]ᵀ · inp[N][I] */
export function matmulBackward(dinp: Vec, dW: Vec, dout: Vec, inp: Vec, W: Vec, N: number, I: number, O: number): void {
  for (let n = 0; n < N; n++) {
    const xi = n * I;
    const yo = n * O;
    for (let o = 0; o < O; o++) {
      const g = dout[yo + o]!;
      if (g === 0) continue;
      const wo = o * I;
      for (let i = 0; i < I; i++) {
        dinp[xi + i]! += g * W[wo + i]!;
        dW[wo + i]! += g * inp[xi + i]!;
      }
    }
  }
}

/** out = x / rms(x) ⊙ w per row; keeps 1/rms per row for the backward pass. */
export function rmsnormForward(out: Vec, rstd: Vec, x: Vec, w: Vec, N: number, C: number, eps: number): void {
  for (let n = 0; n < N; n++) {
    const b = n * C;
    let ss = 0;
    for (let i = 0; i < C; i++) ss += x[b + i]! * x[b + i]!;
    const r = 1 / Math.sqrt(ss / C + eps);
    rstd[n] = r;
    for (let i = 0; i < C; i++) out[b + i] = x[b + i]! * r * w[i]!;
  }
}

export function rmsnormBackward(dx: Vec, dw: Vec, dout: Vec, x: Vec, w: Vec, rstd: Vec, N: number, C: number): void {
  for (let n = 0; n < N; n++) {
    const b = n * C;
    const r = rstd[n]!;
    let dot = 0; // Σ dout·w·x
    for (let i = 0; i < C; i++) {
      dot += dout[b + i]! * w[i]! * x[b + i]!;
      dw[i]! += dout[b + i]! * x[b + i]! * r;
    }
    const k = (dot * r * r * r) / C;
    for (let i = 0; i < C; i++) dx[b + i]! += dout[b + i]! * w[i]! * r - x[b + i]! * k;
  }
}

/** Rotation tables: cos/sin of t·θ^(−2i/D) for t < T, i < D/2. */
export function ropeTables(T: number, D: number, theta: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(T * (D / 2));
  const sin = new Float64Array(T * (D / 2));
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < D / 2; i++) {
      const a = t * theta ** ((-2 * i) / D);
      cos[t * (D / 2) + i] = Math.cos(a);
      sin[t * (D / 2) + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}

/**
 * Rotates adjacent pairs (2i, 2i+1) of each head of v[N][heads·D] in place by the row's position (n mod T);
 * `sign` −1 applies the inverse rotation, which is also the backward pass of a rotation.
 */
export function rope(
  v: Vec,
  tables: { cos: Float64Array; sin: Float64Array },
  N: number,
  T: number,
  heads: number,
  D: number,
  sign: 1 | -1,
): void {
  const half = D / 2;
  for (let n = 0; n < N; n++) {
    const t = n % T;
    for (let h = 0; h < heads; h++) {
      const base = (n * heads + h) * D;
      for (let i = 0; i < half; i++) {
        const c = tables.cos[t * half + i]!;
        const s = sign * tables.sin[t * half + i]!;
        const x0 = v[base + 2 * i]!;
        const x1 = v[base + 2 * i + 1]!;
        v[base + 2 * i] = x0 * c - x1 * s;
        v[base + 2 * i + 1] = x0 * s + x1 * c;
      }
    }
  }
}

/**
 * Causal grouped-query attention. q[N][H·D], k,v[N][KV·D] → out[N][H·D]; probs[B][H][T][T] kept for backward.
 * Query head h reads kv head ⌊h / (H/KV)⌋.
 */
export function attentionForward(
  out: Vec,
  probs: Vec,
  q: Vec,
  k: Vec,
  v: Vec,
  B: number,
  T: number,
  H: number,
  KV: number,
  D: number,
): void {
  const group = H / KV;
  const scale = 1 / Math.sqrt(D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * H + h) * D;
        const po = ((b * H + h) * T + t) * T;
        let max = -Infinity;
        for (let j = 0; j <= t; j++) {
          const ko = ((b * T + j) * KV + kvh) * D;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[qo + d]! * k[ko + d]!;
          dot *= scale;
          probs[po + j] = dot;
          if (dot > max) max = dot;
        }
        let sum = 0;
        for (let j = 0; j <= t; j++) sum += probs[po + j] = Math.exp(probs[po + j]! - max);
        for (let j = 0; j <= t; j++) probs[po + j]! /= sum;
        for (let j = t + 1; j < T; j++) probs[po + j] = 0;
        for (let d = 0; d < D; d++) out[qo + d] = 0;
        for (let j = 0; j <= t; j++) {
          const p = probs[po + j]!;
          const vo = ((b * T + j) * KV + kvh) * D;
          for (let d = 0; d < D; d++) out[qo + d]! += p * v[vo + d]!;
        }
      }
    }
  }
}

export function attentionBackward(
  dq: Vec,
  dk: Vec,
  dv: Vec,
  dout: Vec,
  probs: Vec,
  q: Vec,
  k: Vec,
  v: Vec,
  B: number,
  T: number,
  H: number,
  KV: number,
  D: number,
): void {
  const group = H / KV;
  const scale = 1 / Math.sqrt(D);
  const dp = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * H + h) * D;
        const po = ((b * H + h) * T + t) * T;
        // out = Σ_j p_j v_j  →  dp_j = dout·v_j, dv_j += p_j dout
        let pdp = 0;
        for (let j = 0; j <= t; j++) {
          const vo = ((b * T + j) * KV + kvh) * D;
          let dot = 0;
          for (let d = 0; d < D; d++) {
            dot += dout[qo + d]! * v[vo + d]!;
            dv[vo + d]! += probs[po + j]! * dout[qo + d]!;
          }
          dp[j] = dot;
          pdp += probs[po + j]! * dot;
        }
        // softmax backward, then the scaled dot product
        for (let j = 0; j <= t; j++) {
          const ds = probs[po + j]! * (dp[j]! - pdp) * scale;
          const ko = ((b * T + j) * KV + kvh) * D;
          for (let d = 0; d < D; d++) {
            dq[qo + d]! += ds * k[ko + d]!;
            dk[ko + d]! += ds * q[qo + d]!;
          }
        }
      }
    }
  }
}

/** out = silu(gate) ⊙ up */
export function swigluForward(out: Vec, gate: Vec, up: Vec, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i]!;
    out[i] = (g / (1 + Math.exp(-g))) * up[i]!;
  }
}

export function swigluBackward(dgate: Vec, dup: Vec, dout: Vec, gate: Vec, up: Vec, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i]!;
    const s = 1 / (1 + Math.exp(-g));
    dup[i]! += dout[i]! * g * s;
    dgate[i]! += dout[i]! * up[i]! * s * (1 + g * (1 - s));
  }
}

/**
 * Softmax cross-entropy per row against `targets` with per-token loss weights (0 masks a token); returns the
 * weighted mean loss and leaves the softmax in `probs`.
 */
export function crossEntropyForward(probs: Vec, logits: Vec, targets: Int32Array, weights: Float32Array, N: number, V: number): number {
  let loss = 0;
  let total = 0;
  for (let n = 0; n < N; n++) {
    const b = n * V;
    let max = -Infinity;
    for (let i = 0; i < V; i++) if (logits[b + i]! > max) max = logits[b + i]!;
    let sum = 0;
    for (let i = 0; i < V; i++) sum += probs[b + i] = Math.exp(logits[b + i]! - max);
    for (let i = 0; i < V; i++) probs[b + i]! /= sum;
    const w = weights[n]!;
    if (w) {
      loss -= w * Math.log(probs[b + targets[n]!]!);
      total += w;
    }
  }
  return total ? loss / total : 0;
}

export function crossEntropyBackward(dlogits: Vec, probs: Vec, targets: Int32Array, weights: Float32Array, N: number, V: number): void {
  let total = 0;
  for (let n = 0; n < N; n++) total += weights[n]!;
  if (!total) return;
  for (let n = 0; n < N; n++) {
    const w = weights[n]! / total;
    if (!w) continue;
    const b = n * V;
    for (let i = 0; i < V; i++) dlogits[b + i]! += w * probs[b + i]!;
    dlogits[b + targets[n]!]! -= w;
  }
}
