import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { llamaToGguf, randomLlamaWeights, type LlamaConfig } from "@benih/gguf";
import {
  BpeTokenizer,
  CheckpointError,
  loadBaseModel,
  pickEngine,
  trainBpe,
  TrainingRun,
  type BaseModel,
  type EngineChoice,
  type Recipe,
} from "@benih/trainer";

const texts = ["The capital of Indonesia is Jakarta.", "中国的首都是北京。", "Ibu kota Jepang adalah Tokyo."];
const tokenizer = new BpeTokenizer(trainBpe(texts, { merges: 30 }));
const config: LlamaConfig = { dim: 32, layers: 2, heads: 2, kvHeads: 1, ff: 48, vocab: tokenizer.size, contextLength: 32 };
const train: Recipe["train"] = {
  batch: 2,
  seqLen: 16,
  steps: 10,
  lr: 1e-2,
  minLr: 1e-3,
  warmupSteps: 2,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  gradClip: 1,
  promptLossWeight: 0.1,
  seed: 42,
};
const lora: Recipe = {
  name: "micro-lora",
  model: config,
  train,
  tokenizer: { merges: 30 },
  lora: { rank: 4, alpha: 8, targets: ["wq", "wk", "wv", "wo", "gate", "up", "down"] },
};
const full: Recipe = { ...lora, name: "micro", lora: undefined };
const stream = tokenizer.encode(Array.from({ length: 40 }, (_, i) => texts[i % 3]).join("\n"));
const data = { tokens: Int32Array.from(stream), weights: new Float32Array(stream.length).fill(1) };

let dir: string;
let base: BaseModel;
let otherBase: BaseModel;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "benih-lora-train-"));
  for (const [file, seed] of [
    ["base.gguf", 1],
    ["other.gguf", 2],
  ] as const)
    writeFileSync(
      join(dir, file),
      llamaToGguf({ name: file, config, weights: randomLlamaWeights(config, seed), tokenizer: tokenizer.vocab }),
    );
  base = loadBaseModel(join(dir, "base.gguf"));
  otherBase = loadBaseModel(join(dir, "other.gguf"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const engines: EngineChoice[] = [pickEngine("typescript")];
if (pickEngine().addon) engines.push(pickEngine());

describe("training from a base model", () => {
  for (const engine of engines) {
    it(`a LoRA run learns while the base stays as read (${engine.name} engine)`, () => {
      const frozen = Float32Array.from(base.params);
      const longer: Recipe = { ...lora, train: { ...train, steps: 30, lr: 3e-2 } };
      const run = TrainingRun.start(longer, tokenizer.size, data, "tok", engine, base);
      assert.ok(run.lora && run.model.params.length === run.lora.size, "it trains the adapter's parameters only");
      const losses = Array.from({ length: 30 }, () => run.trainStep().loss);
      assert.ok(losses.slice(-5).reduce((a, b) => a + b) / 5 < losses[0]! * 0.8, `loss ${losses[0]} → ${losses.at(-1)}`);
      assert.deepEqual(base.params, frozen);
      assert.notDeepEqual(run.mergedParams(), frozen);
    });

    it(`a LoRA run resumes exactly: N steps straight equal N/2, checkpoint, resume, N/2 (${engine.name} engine)`, () => {
      const straight = TrainingRun.start(lora, tokenizer.size, data, "tok", engine, base);
      const a = Array.from({ length: 10 }, () => straight.trainStep().loss);
      const first = TrainingRun.start(lora, tokenizer.size, data, "tok", engine, base);
      const b = Array.from({ length: 5 }, () => first.trainStep().loss);
      const path = join(dir, `lora-${engine.name}.ckpt`);
      first.save(path);
      const resumed = TrainingRun.resume(path, lora, tokenizer.size, data, "tok", engine, base);
      assert.equal(resumed.step, 5);
      b.push(...Array.from({ length: 5 }, () => resumed.trainStep().loss));
      assert.deepEqual(b, a);
      assert.deepEqual(resumed.model.params, straight.model.params);
      const wider: Recipe = { ...lora, lora: { ...lora.lora!, rank: 8 } };
      assert.throws(
        () => TrainingRun.resume(path, wider, tokenizer.size, data, "tok", engine, base),
        (e: Error) =>
          e instanceof CheckpointError &&
          /holds \d+ parameters \(LoRA \{"rank":4,.*recipe "micro-lora" trains \d+ \(LoRA \{"rank":8/.test(e.message),
      );
    });
  }

  it("a full run starts from the file's weights, and a checkpoint refuses another base by name", () => {
    const run = TrainingRun.start(full, tokenizer.size, data, "tok", pickEngine(), base);
    assert.deepEqual(run.model.params, base.params);
    run.trainStep();
    assert.notDeepEqual(run.model.params, base.params);
    const path = join(dir, "full.ckpt");
    run.save(path);
    assert.throws(
      () => TrainingRun.resume(path, full, tokenizer.size, data, "tok", pickEngine(), otherBase),
      (e: Error) =>
        e instanceof CheckpointError &&
        e.message.includes(
          `was trained from base model base.gguf (sha256 ${base.sha256.slice(0, 12)}…); this run starts from base model other.gguf`,
        ),
    );
    assert.throws(() => TrainingRun.resume(path, full, tokenizer.size, data, "tok"), /this run starts from no base model/);
    assert.throws(
      () => TrainingRun.start(lora, tokenizer.size, data, "tok"),
      /recipe "micro-lora" trains a LoRA adapter: give it the base model to adapt \(--from FILE\.gguf\)/,
    );
    const tooWide: Recipe = { ...lora, lora: { rank: 40, alpha: 40, targets: ["wk"] } };
    assert.throws(() => TrainingRun.start(tooWide, tokenizer.size, data, "tok", pickEngine(), base), {
      message: `recipe "micro-lora" cannot adapt ${base.file}: LoRA rank 40 is larger than the 16×32 matrix attn_k it adapts (at most 16)`,
    });
  });
});
