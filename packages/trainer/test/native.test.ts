import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randomLlamaWeights, seededRandom, type LlamaConfig } from "@benih/gguf";
import { carve, flatten, loadNative, NativeModel, pickEngine, TrainableModel, TrainingRun, type Recipe } from "@benih/trainer";

// CI builds the engine and sets BENIH_REQUIRE_NATIVE=1, so there a missing engine fails instead of skipping.
const native = loadNative();
const skip = "addon" in native || process.env.BENIH_REQUIRE_NATIVE ? false : native.reason;

// Grouped-query attention, several layers, a vocabulary and sizes that are not multiples of the GEMM's tiles.
const config: LlamaConfig = { dim: 48, layers: 2, heads: 6, kvHeads: 2, ff: 80, vocab: 67, contextLength: 16 };
const B = 3;
const T = 9;

function batch(seed: number) {
  const r = seededRandom(seed);
  return {
    tokens: Int32Array.from({ length: B * T }, () => Math.floor(r() * config.vocab)),
    targets: Int32Array.from({ length: B * T }, () => Math.floor(r() * config.vocab)),
    weights: Float32Array.from({ length: B * T }, (_, i) => (i === 4 ? 0 : i % T < 3 ? 0.1 : 1)),
  };
}

function addon() {
  if (!("addon" in native)) throw new Error(native.reason);
  return native.addon;
}

describe("the C++ training engine", { skip }, () => {
  it("computes the TypeScript reference's loss and gradients, tensor by tensor (relative error ≤ 1e-4)", () => {
    const weights = randomLlamaWeights(config, 7);
    const r = seededRandom(8);
    for (const l of weights.layers)
      for (const v of [l.attnNorm, l.ffnNorm])
        v.forEach((_, i, a) => {
          a[i] = 0.5 + r();
        });
    const ref = new TrainableModel(config, B, T, "f64", flatten(config, weights, "f64"));
    const nat = new NativeModel(addon(), config, B, T, flatten(config, weights, "f32") as Float32Array);
    const { tokens, targets, weights: w } = batch(3);
    const lossRef = ref.forward(tokens, targets, w);
    const lossNat = nat.forward(tokens, targets, w);
    assert.ok(Math.abs(lossRef - lossNat) < 1e-5, `loss ${lossRef} vs ${lossNat}`);
    ref.backward();
    nat.backward();
    const a = carve(config, ref.grads);
    const b = carve(config, nat.grads);
    const pairs: Array<[string, ArrayLike<number>, ArrayLike<number>]> = [
      ["token_embd", a.tokenEmbedding, b.tokenEmbedding],
      ["output_norm", a.finalNorm, b.finalNorm],
    ];
    a.layers.forEach((l, i) => {
      for (const k of Object.keys(l) as Array<keyof typeof l>) pairs.push([`blk.${i}.${k}`, l[k], b.layers[i]![k]]);
    });
    for (const [name, x, y] of pairs) {
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < x.length; i++) {
        diff += (x[i]! - y[i]!) ** 2;
        norm += x[i]! ** 2;
      }
      assert.ok(norm > 0, `${name} has a gradient`);
      assert.ok(Math.sqrt(diff / norm) <= 1e-4, `${name}: relative error ${Math.sqrt(diff / norm)}`);
    }
  });

  it("trains to the same losses and weights whatever the number of threads", () => {
    const recipe: Recipe = {
      name: "threads",
      model: { dim: 64, layers: 2, heads: 4, kvHeads: 2, ff: 96, contextLength: 32 },
      train: {
        batch: 4,
        seqLen: 24,
        steps: 6,
        lr: 1e-2,
        minLr: 1e-3,
        warmupSteps: 1,
        weightDecay: 0.1,
        beta1: 0.9,
        beta2: 0.95,
        eps: 1e-8,
        gradClip: 1,
        promptLossWeight: 0.1,
        seed: 5,
      },
      tokenizer: { merges: 0 },
    };
    const r = seededRandom(2);
    const data = { tokens: Int32Array.from({ length: 3000 }, () => Math.floor(r() * 50)), weights: new Float32Array(3000).fill(1) };
    const engine = pickEngine("native");
    const runWith = (threads: number) => {
      addon().setThreads(threads);
      const run = TrainingRun.start(recipe, 50, data, "tok", engine);
      return { losses: Array.from({ length: 6 }, () => run.trainStep().loss), params: run.model.params };
    };
    try {
      const one = runWith(1);
      const two = runWith(2);
      assert.deepEqual(two.losses, one.losses);
      assert.deepEqual(two.params, one.params);
    } finally {
      addon().setThreads(Number(process.env.BENIH_TRAINER_THREADS) || 2);
    }
  });

  it("refuses bad input with a clear error instead of reading out of bounds", () => {
    const nat = new NativeModel(addon(), config, B, T, flatten(config, randomLlamaWeights(config, 1)) as Float32Array);
    const { tokens, targets, weights } = batch(1);
    tokens[5] = config.vocab;
    assert.throws(() => nat.forward(tokens, targets, weights), /token 67 is outside the vocabulary \(67\)/);
    assert.throws(() => nat.forward(tokens.subarray(1), targets, weights), /a batch is 27 tokens/);
    assert.throws(
      () => nat.forward(Float32Array.from(tokens) as unknown as Int32Array, targets, weights),
      /tokens has the wrong array type/,
    );
    assert.throws(() => new NativeModel(addon(), config, B, T, new Float32Array(10)), /parameters have 10 values, the config needs \d+/);
    assert.throws(() => nat.backward(), /backward\(\) needs a forward\(\) first/);
    assert.throws(() => new NativeModel(addon(), { ...config, heads: 5 }, B, T, new Float32Array(1)), /dim must split into heads/);
  });
});
