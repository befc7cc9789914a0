import type { LlamaConfig } from "@benih/gguf";
import type { LoraSettings } from "./model/lora.ts";

/**
 * "The same algorithm": an architecture and its hyper-parameters, trained unchanged on any dataset. The vocabulary
 * size is not part of it: each dataset trains its own tokenizer.
 */
export interface Recipe {
  name: string;
  /** The models' family, in their names (benih-<family>-<dataset>): a LoRA recipe's is its base recipe's. */
  family?: string;
  model: Omit<LlamaConfig, "vocab">;
  train: {
    /** Sequences per step. */
    batch: number;
    /** Tokens per sequence (at most model.contextLength). */
    seqLen: number;
    /** Steps to train; with `epochs`, the most a run takes. The learning-rate schedule spans a run's steps. */
    steps: number;
    /**
     * Passes over the training split: a run takes the steps they need (at most `steps`), so a market with twice
     * the data gets twice the steps and each of its facts as many presentations.
     */
    epochs?: number;
    lr: number;
    minLr: number;
    warmupSteps: number;
    weightDecay: number;
    beta1: number;
    beta2: number;
    eps: number;
    /** Global gradient norm above which gradients are scaled down. */
    gradClip: number;
    /** Loss weight of prompt tokens; answer tokens weigh 1. */
    promptLossWeight: number;
    seed: number;
  };
  tokenizer: { merges: number };
  /** Train a LoRA adapter of these settings over a frozen base model (`--from`) instead of the full model. */
  lora?: LoraSettings;
}

/**
 * The tiny recipe, for a shared base and per-market adapters on two CPU cores: 5.4M parameters, a 512-token
 * context (skill prompts with passages fit), 384-token training windows starting at examples, a vocabulary for
 * zh, en and id. dim 256 keeps every GEMM large enough to run near the machine's peak.
 */
export const tinyRecipe: Recipe = {
  name: "tiny",
  model: { dim: 256, layers: 6, heads: 8, kvHeads: 2, ff: 768, contextLength: 512, normEps: 1e-5, ropeTheta: 10000 },
  train: {
    batch: 12,
    seqLen: 384,
    steps: 1800,
    lr: 1.5e-3,
    minLr: 1.5e-4,
    warmupSteps: 100,
    weightDecay: 0.1,
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    gradClip: 1,
    promptLossWeight: 0.1,
    seed: 1337,
  },
  tokenizer: { merges: 3000 },
};

/** A recipe small enough to train in seconds: for tests and smoke runs of the whole pipeline, not for use. */
export const microRecipe: Recipe = {
  name: "micro",
  model: { dim: 32, layers: 1, heads: 2, kvHeads: 1, ff: 64, contextLength: 64 },
  train: { ...tinyRecipe.train, batch: 2, seqLen: 32, steps: 20, warmupSteps: 2, lr: 1e-2 },
  tokenizer: { merges: 100 },
};

/** The tiny recipe's per-market adaptation: an adapter on every layer matrix of a frozen base (`--from`). */
export const tinyLoraRecipe: Recipe = {
  ...tinyRecipe,
  name: "tiny-lora",
  family: "tiny",
  train: { ...tinyRecipe.train, steps: 3000, epochs: 3, lr: 3e-3, minLr: 3e-4, warmupSteps: 50, weightDecay: 0 },
  lora: { rank: 64, alpha: 64, targets: ["wq", "wk", "wv", "wo", "gate", "up", "down"] },
};

/** The recipe as it runs on `trainTokens` of training data: with `epochs`, its steps are those passes' ones. */
export function forData(recipe: Recipe, trainTokens: number): Recipe {
  const { epochs, batch, seqLen, steps } = recipe.train;
  if (epochs === undefined) return recipe;
  return {
    ...recipe,
    train: { ...recipe.train, steps: Math.min(steps, Math.max(1, Math.ceil((epochs * trainTokens) / (batch * seqLen)))) },
  };
}

/** The micro recipe's LoRA form, for tests. */
export const microLoraRecipe: Recipe = {
  ...microRecipe,
  name: "micro-lora",
  family: "micro",
  lora: { rank: 4, alpha: 8, targets: ["wq", "wk", "wv", "wo", "gate", "up", "down"] },
};

export const recipes: Record<string, Recipe> = {
  tiny: tinyRecipe,
  "tiny-lora": tinyLoraRecipe,
  micro: microRecipe,
  "micro-lora": microLoraRecipe,
};
