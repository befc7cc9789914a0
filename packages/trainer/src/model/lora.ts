import { LAYER_TENSORS, layerShapes, seededRandom, type LlamaConfig, type LoraPair } from "@benih/gguf";
import type { Vec } from "./kernels.ts";
import { parameterShapes } from "./params.ts";

/** The layer matrices an adapter may adapt, in the order their pairs are laid out. */
export const LORA_TARGETS = ["wq", "wk", "wv", "wo", "gate", "up", "down"] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraSettings {
  rank: number;
  alpha: number;
  targets: LoraTarget[];
}

/** One adapted matrix W[rows][cols]: A [rank][cols] at `a`, B [rows][rank] at `b` in the adapter buffer. */
export interface LoraSlot {
  layer: number;
  target: LoraTarget;
  rows: number;
  cols: number;
  /** Where W starts in the model's flat parameter buffer. */
  base: number;
  a: number;
  b: number;
}

/**
 * Where each A and B lives in one flat adapter buffer (layer by layer, targets in LORA_TARGETS order, A then B),
 * and the maths tying it to the model: W' = W + (alpha / rank) · B · A.
 */
export class LoraLayout {
  readonly slots: LoraSlot[] = [];
  readonly size: number;
  readonly scale: number;
  /** Bit i set when LORA_TARGETS[i] is adapted: the C++ engine's form of the targets. */
  readonly targetMask: number;

  constructor(
    readonly config: LlamaConfig,
    readonly settings: LoraSettings,
  ) {
    const { rank, alpha, targets } = settings;
    for (const t of targets) if (!LORA_TARGETS.includes(t)) throw new Error(`LoRA target "${t}" is not one of ${LORA_TARGETS.join(", ")}`);
    if (!targets.length) throw new Error("a LoRA recipe needs at least one target matrix");
    if (!Number.isInteger(rank) || rank < 1) throw new Error(`LoRA rank must be a positive integer, not ${rank}`);
    if (!(alpha > 0)) throw new Error(`LoRA alpha must be positive, not ${alpha}`);
    this.scale = alpha / rank;
    this.targetMask = LORA_TARGETS.reduce((m, t, i) => (targets.includes(t) ? m | (1 << i) : m), 0);
    const dims = layerShapes(config);
    const shapes = parameterShapes(config);
    const layerSize = Object.values(shapes.layer).reduce((a, b) => a + b, 0);
    let at = 0;
    for (let layer = 0; layer < config.layers; layer++) {
      let base = shapes.tokenEmbedding + layer * layerSize;
      for (const [name, n] of Object.entries(shapes.layer)) {
        const target = name as LoraTarget;
        if (targets.includes(target)) {
          const [rows, cols] = dims[target];
          if (rank > Math.min(rows, cols))
            throw new Error(
              `LoRA rank ${rank} is larger than the ${rows}×${cols} matrix ${LAYER_TENSORS[target]} it adapts (at most ${Math.min(rows, cols)})`,
            );
          this.slots.push({ layer, target, rows, cols, base, a: at, b: at + rank * cols });
          at += rank * (cols + rows);
        }
        base += n;
      }
    }
    this.size = at;
  }

  /** A fresh adapter: A uniform in ±1/√cols, B zero, so the adapted model starts as the base (as PEFT does). */
  init(seed: number): Float32Array {
    const rnd = seededRandom(seed);
    const out = new Float32Array(this.size);
    const r = this.settings.rank;
    for (const s of this.slots) {
      const bound = 1 / Math.sqrt(s.cols);
      for (let i = 0; i < r * s.cols; i++) out[s.a + i] = (rnd() * 2 - 1) * bound;
    }
    return out;
  }

  /** out = base with every adapted W replaced by W + scale · B · A. */
  merge(base: Vec, lora: Vec, out: Vec): void {
    out.set(base);
    const r = this.settings.rank;
    for (const s of this.slots)
      for (let o = 0; o < s.rows; o++)
        for (let k = 0; k < r; k++) {
          const bk = this.scale * lora[s.b + o * r + k]!;
          if (bk === 0) continue;
          const row = s.base + o * s.cols;
          const a = s.a + k * s.cols;
          for (let i = 0; i < s.cols; i++) out[row + i]! += bk * lora[a + i]!;
        }
  }

  /**
   * Adds the adapter's gradients given the full model's (the reference path): dA += scale · Bᵀ · dW and
   * dB += scale · dW · Aᵀ, exact since W' is linear in each of A and B.
   */
  gradsFromFull(fullGrads: Vec, lora: Vec, out: Vec): void {
    const r = this.settings.rank;
    for (const s of this.slots)
      for (let o = 0; o < s.rows; o++) {
        const row = s.base + o * s.cols;
        for (let k = 0; k < r; k++) {
          const bk = lora[s.b + o * r + k]!;
          const a = s.a + k * s.cols;
          let db = 0;
          for (let i = 0; i < s.cols; i++) {
            const g = fullGrads[row + i]!;
            out[a + i]! += this.scale * bk * g;
            db += g * lora[a + i]!;
          }
          out[s.b + o * r + k]! += this.scale * db;
        }
      }
  }

  /** The adapter as llama.cpp's tensor pairs. */
  pairs(lora: Vec): LoraPair[] {
    const r = this.settings.rank;
    return this.slots.map((s) => ({
      tensor: `blk.${s.layer}.${LAYER_TENSORS[s.target]}.weight`,
      rows: s.rows,
      cols: s.cols,
      a: Float32Array.from(lora.subarray(s.a, s.a + r * s.cols)),
      b: Float32Array.from(lora.subarray(s.b, s.b + s.rows * r)),
    }));
  }
}
