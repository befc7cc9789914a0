import type { LoraLayout } from "./lora.ts";
import type { StepModel } from "./model.ts";
import { NativeModel } from "./native.ts";
import type { Vec } from "./kernels.ts";

/**
 * A frozen base with a trainable LoRA adapter, as one StepModel whose parameters and gradients are the adapter's:
 * each forward runs the inner model on the merged weights base + scale · B · A (so the optimizer, clipping and
 * checkpoints see only the adapter). On the C++ engine merging and the adapter's gradients are native and the
 * base's own weight gradients are skipped; the TypeScript reference takes the full gradients and projects them.
 */
export class LoraModel implements StepModel {
  readonly grads: Vec;

  constructor(
    readonly layout: LoraLayout,
    readonly base: Vec,
    readonly inner: StepModel,
    readonly params: Vec,
  ) {
    if (params.length !== layout.size) throw new Error(`the adapter has ${params.length} values, its layout ${layout.size}`);
    if (base.length !== inner.params.length) throw new Error(`the base has ${base.length} values, the model ${inner.params.length}`);
    this.grads = new (params instanceof Float64Array ? Float64Array : Float32Array)(layout.size);
  }

  get config() {
    return this.inner.config;
  }
  get B() {
    return this.inner.B;
  }
  get T() {
    return this.inner.T;
  }

  forward(tokens: Int32Array, targets: Int32Array, weights: Float32Array): number {
    if (this.inner instanceof NativeModel) this.inner.mergeLora(this.base as Float32Array, this.params as Float32Array);
    else this.layout.merge(this.base, this.params, this.inner.params);
    return this.inner.forward(tokens, targets, weights);
  }

  backward(): void {
    if (this.inner instanceof NativeModel) {
      this.inner.backwardLora(this.params as Float32Array, this.grads as Float32Array);
      return;
    }
    this.inner.zeroGrad();
    this.inner.backward();
    this.layout.gradsFromFull(this.inner.grads, this.params, this.grads);
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }
}
