import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { seededRandom } from "@benih/gguf";
import { forData, learningRate, pickEngine, TrainingRun, type EngineChoice, type Recipe } from "@benih/trainer";

const micro: Recipe = {
  name: "micro",
  model: { dim: 16, layers: 2, heads: 2, kvHeads: 1, ff: 32, contextLength: 32 },
  train: {
    batch: 2,
    seqLen: 8,
    steps: 10,
    lr: 1e-2,
    minLr: 1e-3,
    warmupSteps: 2,
    weightDecay: 0.1,
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    gradClip: 1,
    promptLossWeight: 0.1,
    seed: 42,
  },
  tokenizer: { merges: 0 },
};
const vocab = 23;
// A learnable stream: a repeating pattern with some noise.
const r = seededRandom(1);
const data = {
  tokens: Int32Array.from({ length: 2000 }, (_, i) => (r() < 0.9 ? i % 7 : Math.floor(r() * vocab))),
  weights: Float32Array.from({ length: 2000 }, (_, i) => (i % 3 ? 1 : 0.1)),
};
const dir = mkdtempSync(join(tmpdir(), "benih-train-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("training", () => {
  it("warms up linearly, then decays by cosine to the minimum", () => {
    const t = micro.train;
    assert.equal(learningRate(0, t), t.lr / 2);
    assert.equal(learningRate(1, t), t.lr);
    assert.ok(Math.abs(learningRate(6, t) - (t.minLr + t.lr) / 2) < 1e-12, "half-way through the decay");
    assert.equal(learningRate(10, t), t.minLr);
  });

  it("takes the steps a recipe's epochs need on its data, at most the recipe's steps", () => {
    const byEpochs: Recipe = { ...micro, train: { ...micro.train, steps: 50, epochs: 2 } };
    const window = micro.train.batch * micro.train.seqLen;
    assert.equal(forData(byEpochs, 10 * window).train.steps, 20);
    assert.equal(forData(byEpochs, 10 * window + 1).train.steps, 21, "a part-filled step counts");
    assert.equal(forData(byEpochs, 100 * window).train.steps, 50, "capped");
    assert.equal(forData(micro, 100 * window), micro, "a recipe without epochs is unchanged");
  });

  it("learns: the loss falls", () => {
    const run = TrainingRun.start(micro, vocab, data, "tok");
    const losses = Array.from({ length: 40 }, () => run.trainStep().loss);
    assert.ok(losses.slice(-5).reduce((a, b) => a + b) / 5 < losses[0]! * 0.7, `loss ${losses[0]} → ${losses.at(-1)}`);
  });

  const engines: EngineChoice[] = [pickEngine("typescript")];
  const native = pickEngine();
  if (native.addon) engines.push(native);
  for (const engine of engines) {
    it(`is deterministic, and resumes exactly: N steps straight equal N/2, checkpoint, resume, N/2 (${engine.name} engine)`, () => {
      const straight = TrainingRun.start(micro, vocab, data, "tok", engine);
      const a = Array.from({ length: 10 }, () => straight.trainStep().loss);
      const again = TrainingRun.start(micro, vocab, data, "tok", engine);
      assert.deepEqual(
        Array.from({ length: 10 }, () => again.trainStep().loss),
        a,
      );

      const first = TrainingRun.start(micro, vocab, data, "tok", engine);
      const b = Array.from({ length: 5 }, () => first.trainStep().loss);
      const path = join(dir, `run-${engine.name}.ckpt`);
      first.save(path);
      const resumed = TrainingRun.resume(path, micro, vocab, data, "tok", engine);
      assert.equal(resumed.step, 5);
      b.push(...Array.from({ length: 5 }, () => resumed.trainStep().loss));
      for (let i = 0; i < 10; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-6, `step ${i + 1}: ${a[i]} vs ${b[i]}`);
      assert.deepEqual(resumed.model.params, straight.model.params);
    });
  }

  it("refuses a damaged or mismatched checkpoint with a message naming the file and the problem", () => {
    const run = TrainingRun.start(micro, vocab, data, "tok");
    run.trainStep();
    const path = join(dir, "good.ckpt");
    run.save(path);
    const bytes = readFileSync(path);

    const truncated = join(dir, "truncated.ckpt");
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    assert.throws(
      () => TrainingRun.resume(truncated, micro, vocab, data, "tok"),
      /truncated\.ckpt is truncated: \d+ bytes where \d+ were written \(step 1\)/,
    );

    const other = join(dir, "other.ckpt");
    writeFileSync(other, Buffer.from("PK\u0003\u0004 not a checkpoint at all"));
    assert.throws(() => TrainingRun.resume(other, micro, vocab, data, "tok"), /other\.ckpt is not a benih checkpoint/);

    const bigger: Recipe = { ...micro, name: "bigger", model: { ...micro.model, dim: 32 } };
    assert.throws(
      () => TrainingRun.resume(path, bigger, vocab, data, "tok"),
      /good\.ckpt was written by recipe "micro" \(dim 16, .*\); this run is recipe "bigger" \(dim 32/,
    );
    assert.throws(() => TrainingRun.resume(path, micro, vocab, data, "another-tokenizer"), /trained with another tokenizer/);
    assert.throws(() => TrainingRun.resume(path, micro, vocab + 1, data, "tok"), /vocab 23\); this run is recipe "micro" \(.*vocab 24\)/);
  });
});
