import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TrainerMetricLine } from "@benih/contracts";
import { TensorType } from "@benih/gguf";
import { buildDataset, marketLanguages, type Dataset, type Market } from "./datasets/build.ts";
import { readDatasetDir } from "./datasets/jsonl.ts";
import { chatText, tokenStream } from "./datasets/chat-format.ts";
import { loadBaseModel } from "./base-model.ts";
import { exportGguf, exportLoraAdapter, type ModelCard } from "./export.ts";
import { forData, type Recipe } from "./recipe.ts";
import { BpeTokenizer } from "./tokenizer/bpe.ts";
import { trainBpe } from "./tokenizer/train-bpe.ts";
import { pickEngine, tokenizerHash, TrainingRun, type EngineChoice, type StepMetrics, type TrainingData } from "./train.ts";

export interface Prepared {
  dataset: Dataset;
  tokenizer: BpeTokenizer;
  merges: string[];
  hash: string;
  train: TrainingData;
  /** Training examples longer than the recipe's window: their ends are never trained on. */
  longerThanWindow: number;
}

/** A built-in market dataset ("cn", "global") by name, or a folder of JSON-lines splits by path. */
export function loadDataset(nameOrDir: string): Dataset {
  return nameOrDir in marketLanguages ? buildDataset(nameOrDir as Market) : readDatasetDir(nameOrDir);
}

/**
 * A dataset and its tokenizer: the one of the model training starts from, else one trained on the training
 * split (deterministic, so rebuilt on every run).
 */
export function prepare(dataset: Dataset, recipe: Recipe, given?: BpeTokenizer): Prepared {
  const merges = given?.vocab.merges ?? trainBpe(dataset.train.map(chatText), { merges: recipe.tokenizer.merges });
  const tokenizer = given ?? new BpeTokenizer(merges);
  const train = tokenStream(dataset.train, tokenizer, recipe.train.promptLossWeight);
  return {
    dataset,
    tokenizer,
    merges,
    hash: tokenizerHash(merges),
    train,
    longerThanWindow: train.starts.filter((at, i) => (train.starts[i + 1] ?? train.tokens.length) - at > recipe.train.seqLen + 1).length,
  };
}

export interface TrainOptions {
  recipe: Recipe;
  /** A built-in market ("cn", "global") or a folder of JSON-lines splits. */
  dataset: string;
  /**
   * A llama GGUF to start from instead of random weights (its architecture and tokenizer replace the recipe's);
   * a LoRA recipe needs one and trains an adapter for it.
   */
  from?: string;
  /** Where the checkpoint, metrics.jsonl and the exported GGUF go; a checkpoint there is resumed. */
  dir: string;
  /** Steps to reach, which the learning-rate schedule spans (the recipe's by default, or as many as its epochs need). */
  steps?: number;
  checkpointEvery?: number;
  /** The C++ engine where built (pickEngine()). */
  engine?: EngineChoice;
  /** Called once the data is read and the run started or resumed, before the first step. */
  onStart?: (run: TrainingRun, prepared: Prepared, steps: number) => void;
  /** Stops after the current step, checkpointing first (SIGTERM). */
  signal?: AbortSignal;
  /** Asked after every step: true writes a checkpoint now and goes on (SIGUSR1, the control plane's "checkpoint"). */
  checkpointNow?: () => boolean;
  onStep?: (m: StepMetrics & { tokensPerSecond: number; etaSeconds: number }) => void;
}

export interface TrainResult {
  run: TrainingRun;
  prepared: Prepared;
  stopped: boolean;
  /** The exported model, or for a LoRA run the adapter (a GGUF llama.cpp loads on its base). */
  ggufPath?: string;
}

/**
 * Trains a recipe on a dataset, resuming from `dir/checkpoint.bin` if present. Metrics go to
 * `dir/metrics.jsonl` as one JSON object per step; a checkpoint is written every `checkpointEvery` steps, on
 * stop, and at the end, when the model is also exported as `dir/benih-<family>-<dataset>.gguf`.
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  mkdirSync(o.dir, { recursive: true });
  const base = o.from === undefined ? undefined : loadBaseModel(o.from);
  if (o.recipe.lora && !base)
    throw new Error(`recipe "${o.recipe.name}" trains a LoRA adapter: give it the base model to adapt (--from FILE.gguf)`);
  const prepared = prepare(loadDataset(o.dataset), o.recipe, base?.tokenizer);
  // The learning-rate schedule spans the steps this run is to take: the recipe's, its epochs', or those asked for.
  const fitted = forData(o.recipe, prepared.train.tokens.length);
  const recipe = o.steps === undefined ? fitted : { ...fitted, train: { ...fitted.train, steps: o.steps } };
  const datasetName = prepared.dataset.name;
  const ckpt = join(o.dir, "checkpoint.bin");
  const engine = o.engine ?? pickEngine();
  const run = existsSync(ckpt)
    ? TrainingRun.resume(ckpt, recipe, prepared.tokenizer.size, prepared.train, prepared.hash, engine, base)
    : TrainingRun.start(recipe, prepared.tokenizer.size, prepared.train, prepared.hash, engine, base);
  const steps = recipe.train.steps;
  o.onStart?.(run, prepared, steps);
  const every = o.checkpointEvery ?? 100;
  const metrics = join(o.dir, "metrics.jsonl");
  let last: StepMetrics | undefined;
  const t0 = performance.now();
  const startStep = run.step;
  while (run.step < steps) {
    // Yield between steps, so a signal handler (SIGTERM → o.signal) gets to run.
    await new Promise((resolve) => setImmediate(resolve));
    if (o.signal?.aborted) {
      run.save(ckpt);
      return { run, prepared, stopped: true };
    }
    last = run.trainStep();
    const elapsed = (performance.now() - t0) / 1000;
    const tokensPerSecond = ((run.step - startStep) * last.tokens) / elapsed;
    const line: TrainerMetricLine = { ...last, tokensPerSecond: Math.round(tokensPerSecond), time: new Date().toISOString() };
    appendFileSync(metrics, `${JSON.stringify(line)}\n`);
    o.onStep?.({ ...last, tokensPerSecond, etaSeconds: ((steps - run.step) * last.tokens) / tokensPerSecond });
    if (run.step % every === 0 || o.checkpointNow?.()) run.save(ckpt);
  }
  run.save(ckpt);
  const name = `benih-${o.recipe.family ?? o.recipe.name}-${datasetName}`;
  const ggufPath = join(o.dir, `${name}.gguf`);
  const card: ModelCard = {
    name,
    description: base
      ? `${base.name} ${run.lora ? "adapted with LoRA" : "fine-tuned"} by benih's ${o.recipe.name} recipe on the ${datasetName} dataset`
      : `benih's ${o.recipe.name} recipe trained on the ${datasetName} dataset`,
    recipe: o.recipe.name,
    dataset: datasetName,
    steps: run.step,
    tokensSeen: run.tokensSeen,
    finalLoss: last?.loss ?? NaN,
    wallSeconds: run.wallMs / 1000,
  };
  const lora = run.lora;
  writeFileSync(
    ggufPath,
    lora && base
      ? exportLoraAdapter(lora, run.model.params, base, card)
      : exportGguf(run.config, run.model.params, prepared.tokenizer, card, TensorType.F32),
  );
  return { run, prepared, stopped: false, ggufPath };
}
