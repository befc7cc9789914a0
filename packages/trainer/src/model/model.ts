import { headDim, type LlamaConfig } from "@benih/gguf";
import {
  attentionBackward,
  attentionForward,
  crossEntropyBackward,
  crossEntropyForward,
  matmulBackward,
  matmulForward,
  rmsnormBackward,
  rmsnormForward,
  rope,
  ropeTables,
  swigluBackward,
  swigluForward,
  type Vec,
} from "./kernels.ts";
import { alloc, carve, parameterCount, type ParamViews, type Precision } from "./params.ts";

interface LayerActs {
  x: Vec; // [N][C] layer input (residual stream)
  xn1: Vec; // [N][C]
  rstd1: Vec; // [N]
  q: Vec; // [N][H·D] after RoPE
  k: Vec; // [N][KV·D] after RoPE
  v: Vec; // [N][KV·D]
  probs: Vec; // [B][H][T][T]
  att: Vec; // [N][H·D]
  x2: Vec; // [N][C] after the attention residual
  xn2: Vec; // [N][C]
  rstd2: Vec; // [N]
  gate: Vec; // [N][F]
  up: Vec; // [N][F]
  act: Vec; // [N][F]
}

/** One training step's model: forward a batch, add its gradients, on one flat parameter buffer. */
export interface StepModel {
  readonly config: LlamaConfig;
  readonly B: number;
  readonly T: number;
  readonly params: Vec;
  readonly grads: Vec;
  forward(tokens: Int32Array, targets: Int32Array, weights: Float32Array): number;
  backward(): void;
  zeroGrad(): void;
}

/**
 * The TypeScript reference model (the gradient check runs it in f64) for batches of B sequences of T tokens: parameters and gradients each in one flat buffer,
 * activations kept from `forward` for `backward`. Tied embeddings: the output projection is the embedding.
 */
export class TrainableModel implements StepModel {
  readonly params: Vec;
  readonly grads: Vec;
  readonly p: ParamViews;
  readonly g: ParamViews;
  private readonly acts: LayerActs[];
  private readonly xf: Vec;
  private readonly rstdf: Vec;
  private readonly xLast: Vec;
  private readonly logits: Vec;
  private readonly probs: Vec;
  private readonly rope: ReturnType<typeof ropeTables>;
  private batch?: { tokens: Int32Array; targets: Int32Array; weights: Float32Array };

  constructor(
    readonly config: LlamaConfig,
    readonly B: number,
    readonly T: number,
    readonly precision: Precision = "f32",
    params?: Vec,
  ) {
    const n = parameterCount(config);
    if (params && params.length !== n) throw new Error(`parameters have ${params.length} values, the config needs ${n}`);
    this.params = params ?? alloc(precision, n);
    this.grads = alloc(precision, n);
    this.p = carve(config, this.params);
    this.g = carve(config, this.grads);
    const { dim: C, heads: H, kvHeads: KV, ff: F, vocab: V } = config;
    const D = headDim(config);
    const N = B * T;
    const a = (k: number) => alloc(precision, k);
    this.acts = Array.from({ length: config.layers }, () => ({
      x: a(N * C),
      xn1: a(N * C),
      rstd1: a(N),
      q: a(N * H * D),
      k: a(N * KV * D),
      v: a(N * KV * D),
      probs: a(B * H * T * T),
      att: a(N * H * D),
      x2: a(N * C),
      xn2: a(N * C),
      rstd2: a(N),
      gate: a(N * F),
      up: a(N * F),
      act: a(N * F),
    }));
    this.xLast = a(N * C);
    this.xf = a(N * C);
    this.rstdf = a(N);
    this.logits = a(N * V);
    this.probs = a(N * V);
    this.rope = ropeTables(T, D, config.ropeTheta ?? 10000);
  }

  /** Mean cross-entropy of predicting `targets` (weighted per token; weight 0 masks it) from `tokens`, [B][T]. */
  forward(tokens: Int32Array, targets: Int32Array, weights: Float32Array): number {
    const { B, T, config: c } = this;
    const { dim: C, heads: H, kvHeads: KV, ff: F, vocab: V } = c;
    const D = headDim(c);
    const N = B * T;
    const eps = c.normEps ?? 1e-5;
    if (tokens.length !== N || targets.length !== N || weights.length !== N) throw new Error(`a batch is ${B}×${T} = ${N} tokens`);
    this.batch = { tokens, targets, weights };

    let x = this.acts[0]?.x ?? this.xLast;
    for (let n = 0; n < N; n++) {
      const tok = tokens[n]!;
      if (tok < 0 || tok >= V) throw new Error(`token ${tok} is outside the vocabulary (${V})`);
      x.set(this.p.tokenEmbedding.subarray(tok * C, (tok + 1) * C), n * C);
    }
    for (let l = 0; l < c.layers; l++) {
      const A = this.acts[l]!;
      const P = this.p.layers[l]!;
      rmsnormForward(A.xn1, A.rstd1, A.x, P.attnNorm, N, C, eps);
      matmulForward(A.q, A.xn1, P.wq, N, C, H * D);
      matmulForward(A.k, A.xn1, P.wk, N, C, KV * D);
      matmulForward(A.v, A.xn1, P.wv, N, C, KV * D);
      rope(A.q, this.rope, N, T, H, D, 1);
      rope(A.k, this.rope, N, T, KV, D, 1);
      attentionForward(A.att, A.probs, A.q, A.k, A.v, B, T, H, KV, D);
      matmulForward(A.x2, A.att, P.wo, N, H * D, C);
      for (let i = 0; i < N * C; i++) A.x2[i]! += A.x[i]!;
      rmsnormForward(A.xn2, A.rstd2, A.x2, P.ffnNorm, N, C, eps);
      matmulForward(A.gate, A.xn2, P.gate, N, C, F);
      matmulForward(A.up, A.xn2, P.up, N, C, F);
      swigluForward(A.act, A.gate, A.up, N * F);
      x = this.acts[l + 1]?.x ?? this.xLast;
      matmulForward(x, A.act, P.down, N, F, C);
      for (let i = 0; i < N * C; i++) x[i]! += A.x2[i]!;
    }
    rmsnormForward(this.xf, this.rstdf, x, this.p.finalNorm, N, C, eps);
    matmulForward(this.logits, this.xf, this.p.tokenEmbedding, N, C, V);
    return crossEntropyForward(this.probs, this.logits, targets, weights, N, V);
  }

  /** Adds d(loss)/d(parameter) of the last forward pass into `grads`. */
  backward(): void {
    if (!this.batch) throw new Error("backward() needs a forward() first");
    const { B, T, config: c } = this;
    const { dim: C, heads: H, kvHeads: KV, ff: F, vocab: V } = c;
    const D = headDim(c);
    const N = B * T;
    const a = (k: number) => alloc(this.precision, k);
    const { tokens, targets, weights } = this.batch;

    const dlogits = a(N * V);
    crossEntropyBackward(dlogits, this.probs, targets, weights, N, V);
    const dxf = a(N * C);
    matmulBackward(dxf, this.g.tokenEmbedding, dlogits, this.xf, this.p.tokenEmbedding, N, C, V);
    let dx = a(N * C); // gradient of the residual stream at the current depth
    rmsnormBackward(dx, this.g.finalNorm, dxf, this.xLast, this.p.finalNorm, this.rstdf, N, C);

    for (let l = c.layers - 1; l >= 0; l--) {
      const A = this.acts[l]!;
      const P = this.p.layers[l]!;
      const G = this.g.layers[l]!;
      // x_out = x2 + down(act): the residual passes dx through to x2
      const dx2 = dx.slice();
      const dact = a(N * F);
      matmulBackward(dact, G.down, dx, A.act, P.down, N, F, C);
      const dgate = a(N * F);
      const dup = a(N * F);
      swigluBackward(dgate, dup, dact, A.gate, A.up, N * F);
      const dxn2 = a(N * C);
      matmulBackward(dxn2, G.gate, dgate, A.xn2, P.gate, N, C, F);
      matmulBackward(dxn2, G.up, dup, A.xn2, P.up, N, C, F);
      rmsnormBackward(dx2, G.ffnNorm, dxn2, A.x2, P.ffnNorm, A.rstd2, N, C);
      // x2 = x + wo(att)
      const dxIn = dx2.slice();
      const datt = a(N * H * D);
      matmulBackward(datt, G.wo, dx2, A.att, P.wo, N, H * D, C);
      const dq = a(N * H * D);
      const dk = a(N * KV * D);
      const dv = a(N * KV * D);
      attentionBackward(dq, dk, dv, datt, A.probs, A.q, A.k, A.v, B, T, H, KV, D);
      rope(dq, this.rope, N, T, H, D, -1); // a rotation's gradient is the inverse rotation
      rope(dk, this.rope, N, T, KV, D, -1);
      const dxn1 = a(N * C);
      matmulBackward(dxn1, G.wq, dq, A.xn1, P.wq, N, C, H * D);
      matmulBackward(dxn1, G.wk, dk, A.xn1, P.wk, N, C, KV * D);
      matmulBackward(dxn1, G.wv, dv, A.xn1, P.wv, N, C, KV * D);
      rmsnormBackward(dxIn, G.attnNorm, dxn1, A.x, P.attnNorm, A.rstd1, N, C);
      dx = dxIn;
    }
    for (let n = 0; n < N; n++) {
      const tok = tokens[n]!;
      const e = this.g.tokenEmbedding;
      for (let i = 0; i < C; i++) e[tok * C + i]! += dx[n * C + i]!;
    }
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }
}
