// The C++ engine (native/), built by `npm ci` where a C++ compiler and Node's headers exist. Without it training
// falls back to the TypeScript kernels, which compute the same thing about a hundred times slower.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { LlamaConfig } from "@benih/gguf";
import type { LoraLayout } from "./lora.ts";
import type { StepModel } from "./model.ts";

type Handle = object & { readonly __engine: unique symbol };

export interface NativeAddon {
  create(
    shape: { dim: number; layers: number; heads: number; kvHeads: number; ff: number; vocab: number; eps: number; ropeTheta: number },
    batch: number,
    seqLen: number,
    lora?: { rank: number; scale: number; targets: number },
  ): Handle;
  paramCount(e: Handle): number;
  loraSize(e: Handle): number;
  loraMerge(e: Handle, base: Float32Array, lora: Float32Array, out: Float32Array): void;
  backwardLora(e: Handle, params: Float32Array, lora: Float32Array, loraGrads: Float32Array): void;
  forward(e: Handle, params: Float32Array, tokens: Int32Array, targets: Int32Array, weights: Float32Array): number;
  backward(e: Handle, params: Float32Array, grads: Float32Array): void;
  adamw(
    params: Float32Array,
    grads: Float32Array,
    m: Float32Array,
    v: Float32Array,
    decay: Uint8Array,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    t: number,
  ): void;
  clipGradients(grads: Float32Array, max: number): number;
  setThreads(n: number): number;
  /** c = a · b for row-major m×k and k×n: the engine's GEMM alone, for measuring its peak. */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void;
}

const binary = fileURLToPath(new URL("../../native/build/Release/benih_trainer.node", import.meta.url));
let loaded: { addon: NativeAddon } | { reason: string } | undefined;

/** The C++ engine, or why it is not there. Threads: BENIH_TRAINER_THREADS, else every core. */
export function loadNative(): { addon: NativeAddon } | { reason: string } {
  if (loaded) return loaded;
  if (!existsSync(binary)) {
    loaded = {
      reason:
        "the C++ engine is not built (npm ci builds it with node-gyp; `npm run build:native -w @benih/trainer` retries and shows why)",
    };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(binary) as NativeAddon;
    const threads = Number(process.env.BENIH_TRAINER_THREADS) || availableParallelism();
    addon.setThreads(threads);
    loaded = { addon };
  } catch (e) {
    loaded = { reason: `the C++ engine failed to load: ${(e as Error).message}` };
  }
  return loaded;
}

/**
 * The llama recipe's step on the C++ engine: the same parameter layout and maths as TrainableModel, in f32. Made
 * with a LoRA layout, it also merges and trains that adapter with the base frozen (see LoraModel).
 */
export class NativeModel implements StepModel {
  readonly grads: Float32Array;
  readonly precision = "f32";
  private readonly handle: Handle;

  constructor(
    private readonly addon: NativeAddon,
    readonly config: LlamaConfig,
    readonly B: number,
    readonly T: number,
    readonly params: Float32Array,
    readonly lora?: LoraLayout,
  ) {
    this.handle = addon.create(
      {
        dim: config.dim,
        layers: config.layers,
        heads: config.heads,
        kvHeads: config.kvHeads,
        ff: config.ff,
        vocab: config.vocab,
        eps: config.normEps ?? 1e-5,
        ropeTheta: config.ropeTheta ?? 10000,
      },
      B,
      T,
      lora && { rank: lora.settings.rank, scale: lora.scale, targets: lora.targetMask },
    );
    const n = addon.paramCount(this.handle);
    if (params.length !== n) throw new Error(`parameters have ${params.length} values, the config needs ${n}`);
    if (lora && addon.loraSize(this.handle) !== lora.size)
      throw new Error(`the C++ engine lays the adapter out in ${addon.loraSize(this.handle)} values, TypeScript in ${lora.size}`);
    // A frozen base has no gradients of its own.
    this.grads = new Float32Array(lora ? 0 : n);
  }

  /** params = base + the adapter's scale · B · A. */
  mergeLora(base: Float32Array, lora: Float32Array): void {
    this.addon.loraMerge(this.handle, base, lora, this.params);
  }

  /** Adds the adapter's gradients of the last forward() into loraGrads; the base's are not computed. */
  backwardLora(lora: Float32Array, loraGrads: Float32Array): void {
    this.addon.backwardLora(this.handle, this.params, lora, loraGrads);
  }

  forward(tokens: Int32Array, targets: Int32Array, weights: Float32Array): number {
    return this.addon.forward(this.handle, this.params, tokens, targets, weights);
  }

  backward(): void {
    this.addon.backward(this.handle, this.params, this.grads);
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }
}
