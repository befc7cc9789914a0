import type { Vec } from "../model/kernels.ts";
import type { NativeAddon } from "../model/native.ts";

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * AdamW over one flat parameter buffer. Weight decay applies only where `decay[i]` is set (matrices and
 * embeddings, not norm weights), as in nanoGPT.
 */
export class AdamW {
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Steps taken, for bias correction; saved in checkpoints. */
  t = 0;

  constructor(
    readonly size: number,
    private readonly decay: Uint8Array,
    private readonly s: AdamWSettings,
    /** The C++ engine's kernel, for Float32 parameters. */
    private readonly native?: NativeAddon,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  step(params: Vec, grads: Vec, lr: number): void {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.s;
    if (this.native && params instanceof Float32Array && grads instanceof Float32Array) {
      this.native.adamw(params, grads, this.m, this.v, this.decay, lr, beta1, beta2, eps, weightDecay, this.t);
      return;
    }
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i]!;
      const m = (this.m[i] = beta1 * this.m[i]! + (1 - beta1) * g);
      const v = (this.v[i] = beta2 * this.v[i]! + (1 - beta2) * g * g);
      const update = m / c1 / (Math.sqrt(v / c2) + eps) + (this.decay[i] ? weightDecay * params[i]! : 0);
      params[i]! -= lr * update;
    }
  }
}

/** Scales gradients so their global L2 norm is at most `max`; returns the norm before clipping. */
export function clipGradients(grads: Vec, max: number, native?: NativeAddon): number {
  if (native && grads instanceof Float32Array) return native.clipGradients(grads, max);
  let ss = 0;
  for (let i = 0; i < grads.length; i++) ss += grads[i]! * grads[i]!;
  const norm = Math.sqrt(ss);
  if (norm > max) {
    const k = max / norm;
    for (let i = 0; i < grads.length; i++) grads[i]! *= k;
  }
  return norm;
}
