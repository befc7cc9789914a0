import { createHash } from "node:crypto";
import type { TrainerMetricLine } from "@benih/contracts";
import { randomLlamaWeights, type LlamaConfig } from "@benih/gguf";
import { CheckpointError, checkCompatible, readCheckpoint, writeCheckpoint, type Checkpoint } from "./checkpoint/checkpoint.ts";
import { DataLoader } from "./data/loader.ts";
import type { BaseModel } from "./base-model.ts";
import { LoraLayout } from "./model/lora.ts";
import { LoraModel } from "./model/lora-model.ts";
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

/**
 * Which parameters take weight decay: matrices and the embedding, not norm weights. An adapter takes none: decay
 * would pull it towards zero, that is towards the base, which is not a prior worth having.
 */
function decayMask(model: StepModel): Uint8Array {
  const mask = new Uint8Array(model.params.length);
  if (model instanceof LoraModel) return mask;
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

/** The token stream a run trains on, with a loss weight per token and, optionally, where examples start. */
export interface TrainingData {
  tokens: Int32Array;
  weights: Float32Array;
  starts?: Int32Array;
}

/** A full model, or with a LoRA recipe an adapter over `base`'s frozen weights. */
function stepModel(recipe: Recipe, config: LlamaConfig, engine: EngineChoice, base?: BaseModel): StepModel {
  const { batch: B, seqLen: T, seed } = recipe.train;
  if (!recipe.lora) {
    const params = base ? Float32Array.from(base.params) : (flatten(config, randomLlamaWeights(config, seed)) as Float32Array);
    return createModel(config, B, T, params, engine);
  }
  if (!base) throw new Error(`recipe "${recipe.name}" trains a LoRA adapter: give it the base model to adapt (--from FILE.gguf)`);
  let layout: LoraLayout;
  try {
    layout = new LoraLayout(config, recipe.lora);
  } catch (e) {
    throw new Error(`recipe "${recipe.name}" cannot adapt ${base.file}: ${(e as Error).message}`);
  }
  const inner = engine.addon
    ? new NativeModel(engine.addon, config, B, T, new Float32Array(base.params.length), layout)
    : new TrainableModel(config, B, T);
  return new LoraModel(layout, base.params, inner, layout.init(seed));
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
    /** The model it continues or adapts, when it did not start from random weights. */
    readonly base?: BaseModel,
  ) {}

  /**
   * A new run: weights initialised from the recipe's seed, or continued from `base` (its architecture, not the
   * recipe's); a LoRA recipe adapts `base`, frozen, with a fresh adapter.
   */
  static start(
    recipe: Recipe,
    vocab: number,
    data: TrainingData,
    tokenizerHash: string,
    engine = pickEngine(),
    base?: BaseModel,
  ): TrainingRun {
    const config: LlamaConfig = base?.config ?? { ...recipe.model, vocab };
    if (config.vocab !== vocab) throw new Error(`the base model has ${config.vocab} tokens, the tokenizer ${vocab}`);
    const { batch, seqLen } = recipe.train;
    if (seqLen > config.contextLength)
      throw new Error(
        `recipe "${recipe.name}" trains on ${seqLen}-token sequences, longer than the model's context of ${config.contextLength}`,
      );
    const model = stepModel(recipe, config, engine, base);
    const optimizer = new AdamW(model.params.length, decayMask(model), recipe.train, engine.addon);
    const loader = new DataLoader(data.tokens, data.weights, batch, seqLen, recipe.train.seed, data.starts);
    return new TrainingRun(recipe, config, model, optimizer, loader, tokenizerHash, engine, base);
  }

  /** The adapter's layout when the run trains one. */
  get lora(): LoraLayout | undefined {
    return this.model instanceof LoraModel ? this.model.layout : undefined;
  }

  /** The full model's weights: trained ones, or the base with the adapter merged in. */
  mergedParams(): Float32Array {
    if (!(this.model instanceof LoraModel)) return this.model.params as Float32Array;
    const out = new Float32Array(this.model.base.length);
    this.model.layout.merge(this.model.base, this.model.params, out);
    return out;
  }

  /** A run continued from a checkpoint: the same parameters, optimizer moments, data position and step. */
  static resume(
    path: string,
    recipe: Recipe,
    vocab: number,
    data: TrainingData,
    tokenizerHash: string,
    engine = pickEngine(),
    base?: BaseModel,
  ): TrainingRun {
    const ck = readCheckpoint(path);
    const config: LlamaConfig = base?.config ?? { ...recipe.model, vocab };
    checkCompatible(path, ck.header, recipe.name, config, tokenizerHash, base && { name: base.name, sha256: base.sha256 });
    const run = TrainingRun.start(recipe, vocab, data, tokenizerHash, engine, base);
    // The same recipe name may have changed its adapter (rank, targets) since: the saved values must fit.
    if (JSON.stringify(ck.header.lora ?? null) !== JSON.stringify(recipe.lora ?? null) || ck.params.length !== run.model.params.length)
      throw new CheckpointError(
        `${path} holds ${ck.params.length} parameters (LoRA ${JSON.stringify(ck.header.lora ?? "none")}); recipe "${recipe.name}" trains ${run.model.params.length} (LoRA ${JSON.stringify(recipe.lora ?? "none")})`,
      );
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
        ...(this.base && { base: { name: this.base.name, sha256: this.base.sha256, file: this.base.file } }),
        ...(this.recipe.lora && { lora: this.recipe.lora }),
      },
      params: this.model.params as Float32Array,
      m: this.optimizer.m,
      v: this.optimizer.v,
    };
    writeCheckpoint(path, ck);
  }
}
