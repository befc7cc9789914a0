import { createHash } from "node:crypto";
import type { TrainerMetricLine } from "@benih/contracts";
import { randomLlamaWeights, type LlamaConfig } from "@benih/gguf";
import { checkCompatible, readCheckpoint, writeCheckpoint, type Checkpoint } from "./checkpoint/checkpoint.ts";
import { DataLoader } from "./data/loader.ts";
import { TrainableModel, type StepModel } from "./model/model.ts";
import { loadNative, NativeModel, type NativeAddon } from "./model/native.ts";
import { carve, flatten } from "./model/params.ts";
import { AdamW, clipGradients } from "./optim/adamw.ts";
import { learningRate } from "./optim/schedule.ts";
import type { Recipe } from "./recipe.ts";

/** What one step measured: its metrics.jsonl line less the rate and time the pipeline adds. */
export type StepMetrics = Omit<TrainerMetricLine, "tokensPerSecond" | "time">;

/** A stable identity for a tokenizer: the hash of its merges. */
export function tokenizerHash(merges: string[]): string {
  return createHash("sha256").update(merges.join("\n")).digest("hex").slice(0, 16);
}

/** Which parameters take weight decay: matrices and the embedding, not norm weights. */
function decayMask(model: StepModel): Uint8Array {
  const mask = new Uint8Array(model.params.length);
  const views = carve(model.config, mask);
  views.tokenEmbedding.fill(1);
  for (const l of views.layers) for (const k of ["wq", "wk", "wv", "wo", "gate", "up", "down"] as const) l[k].fill(1);
  return mask;
}

export type EngineName = "native" | "typescript";

export interface EngineChoice {
  name: EngineName;
  addon?: NativeAddon;
  /** Why the C++ engine is not used, when it is not. */
  fallbackReason?: string;
}

/**
 * The C++ engine where it is built, else the TypeScript kernels. BENIH_TRAINER_ENGINE=typescript forces the
 * latter; =native makes a missing C++ engine an error instead of a slow run.
 */
export function pickEngine(want = process.env.BENIH_TRAINER_ENGINE): EngineChoice {
  if (want && want !== "native" && want !== "typescript")
    throw new Error(`BENIH_TRAINER_ENGINE must be "native" or "typescript", not "${want}"`);
  if (want === "typescript") return { name: "typescript" };
  const native = loadNative();
  if ("addon" in native) return { name: "native", addon: native.addon };
  if (want === "native") throw new Error(native.reason);
  return { name: "typescript", fallbackReason: native.reason };
}

/** A model for batches of B × T tokens over `params`, on the chosen engine. */
export function createModel(config: LlamaConfig, B: number, T: number, params: Float32Array, engine = pickEngine()): StepModel {
  return engine.addon ? new NativeModel(engine.addon, config, B, T, params) : new TrainableModel(config, B, T, "f32", params);
}

/** Everything a run needs to take its next step, and to be saved and resumed exactly. */
export class TrainingRun {
  step = 0;
  tokensSeen = 0;
  wallMs = 0;

  private constructor(
    readonly recipe: Recipe,
    readonly config: LlamaConfig,
    readonly model: StepModel,
    readonly optimizer: AdamW,
    readonly loader: DataLoader,
    readonly tokenizerHash: string,
    readonly engine: EngineChoice,
  ) {}

  /** A new run with weights initialised from the recipe's seed. */
  static start(
    recipe: Recipe,
    vocab: number,
    data: { tokens: Int32Array; weights: Float32Array },
    tokenizerHash: string,
    engine = pickEngine(),
  ): TrainingRun {
    const config: LlamaConfig = { ...recipe.model, vocab };
    const { batch, seqLen } = recipe.train;
    const params = flatten(config, randomLlamaWeights(config, recipe.train.seed)) as Float32Array;
    const model = createModel(config, batch, seqLen, params, engine);
    const optimizer = new AdamW(model.params.length, decayMask(model), recipe.train, engine.addon);
    const loader = new DataLoader(data.tokens, data.weights, batch, seqLen, recipe.train.seed);
    return new TrainingRun(recipe, config, model, optimizer, loader, tokenizerHash, engine);
  }

  /** A run continued from a checkpoint: the same parameters, optimizer moments, data position and step. */
  static resume(
    path: string,
    recipe: Recipe,
    vocab: number,
    data: { tokens: Int32Array; weights: Float32Array },
    tokenizerHash: string,
    engine = pickEngine(),
  ): TrainingRun {
    const ck = readCheckpoint(path);
    const config: LlamaConfig = { ...recipe.model, vocab };
    checkCompatible(path, ck.header, recipe.name, config, tokenizerHash);
    const run = TrainingRun.start(recipe, vocab, data, tokenizerHash, engine);
    run.model.params.set(ck.params);
    run.optimizer.m.set(ck.m);
    run.optimizer.v.set(ck.v);
    run.optimizer.t = ck.header.optimizerStep;
    run.loader.state = ck.header.loaderState;
    run.step = ck.header.step;
    run.tokensSeen = ck.header.tokensSeen;
    run.wallMs = ck.header.wallMs;
    return run;
  }

  /** One optimizer step: forward, backward, clip, AdamW at the scheduled learning rate. */
  trainStep(): StepMetrics {
    const t0 = performance.now();
    const { tokens, targets, weights } = this.loader.next();
    const t = this.recipe.train;
    this.model.zeroGrad();
    const loss = this.model.forward(tokens, targets, weights);
    this.model.backward();
    const gradNorm = clipGradients(this.model.grads, t.gradClip, this.engine.addon);
    const lr = learningRate(this.step, t);
    this.optimizer.step(this.model.params, this.model.grads, lr);
    this.step++;
    this.tokensSeen += tokens.length;
    this.wallMs += performance.now() - t0;
    return { step: this.step, loss, lr, gradNorm, tokens: tokens.length };
  }

  save(path: string): void {
    const ck: Checkpoint = {
      header: {
        recipe: this.recipe.name,
        config: this.config,
        step: this.step,
        tokensSeen: this.tokensSeen,
        loaderState: this.loader.state,
        optimizerStep: this.optimizer.t,
        tokenizerHash: this.tokenizerHash,
        paramCount: this.model.params.length,
        wallMs: this.wallMs,
      },
      params: this.model.params as Float32Array,
      m: this.optimizer.m,
      v: this.optimizer.v,
    };
    writeCheckpoint(path, ck);
  }
}
