import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randomLlamaWeights, seededRandom, type LlamaConfig } from "@benih/gguf";
import { flatten, loadNative, LoraLayout, LoraModel, NativeModel, TrainableModel, type LoraSettings } from "@benih/trainer";

// Grouped-query attention and every kind of adaptable matrix, small enough to difference each adapter value.
const config: LlamaConfig = { dim: 8, layers: 2, heads: 4, kvHeads: 2, ff: 12, vocab: 19, contextLength: 16 };
const all: LoraSettings = { rank: 2, alpha: 3, targets: ["wq", "wk", "wv", "wo", "gate", "up", "down"] };
const B = 2;
const T = 5;

function batch(seed: number, b = B, t = T, vocab = config.vocab) {
  const r = seededRandom(seed);
  return {
    tokens: Int32Array.from({ length: b * t }, () => Math.floor(r() * vocab)),
    targets: Int32Array.from({ length: b * t }, () => Math.floor(r() * vocab)),
    weights: Float32Array.from({ length: b * t }, (_, i) => (i === 3 ? 0 : i % t < 2 ? 0.1 : 1)),
  };
}

/** An adapter with B non-zero too (a fresh one has B = 0, where A's gradient vanishes and would go unchecked). */
function adapter(layout: LoraLayout, seed: number, precision: "f32" | "f64") {
  const r = seededRandom(seed);
  const a = precision === "f64" ? new Float64Array(layout.size) : new Float32Array(layout.size);
  for (let i = 0; i < a.length; i++) a[i] = (r() * 2 - 1) * 0.3;
  return a;
}

const relError = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    diff += (x[i]! - y[i]!) ** 2;
    norm = Math.max(norm, Math.abs(x[i]!), Math.abs(y[i]!));
  }
  return { rel: Math.sqrt(diff / x.length) / norm, norm };
};

describe("LoRA adapters", () => {
  it("have gradients that match central finite differences for every A and B (relative error ≤ 1e-3)", () => {
    const layout = new LoraLayout(config, all);
    const base = flatten(config, randomLlamaWeights(config, 3), "f64");
    const model = new LoraModel(layout, base, new TrainableModel(config, B, T, "f64"), adapter(layout, 4, "f64"));
    const { tokens, targets, weights } = batch(11);
    model.zeroGrad();
    model.forward(tokens, targets, weights);
    model.backward();
    const h = 1e-5;
    const numeric = new Float64Array(layout.size);
    for (let i = 0; i < layout.size; i++) {
      const keep = model.params[i]!;
      model.params[i] = keep + h;
      const up = model.forward(tokens, targets, weights);
      model.params[i] = keep - h;
      const down = model.forward(tokens, targets, weights);
      model.params[i] = keep;
      numeric[i] = (up - down) / (2 * h);
    }
    for (const s of layout.slots) {
      for (const [part, from, n] of [
        ["A", s.a, all.rank * s.cols],
        ["B", s.b, s.rows * all.rank],
      ] as const) {
        const { rel, norm } = relError(model.grads.subarray(from, from + n), numeric.subarray(from, from + n));
        assert.ok(norm > 1e-6, `blk.${s.layer}.${s.target} ${part} has gradient signal`);
        assert.ok(rel <= 1e-3, `blk.${s.layer}.${s.target} ${part}: relative error ${rel.toExponential(2)}`);
      }
    }
  });

  it("start as the base model: a fresh adapter changes no logit", () => {
    const layout = new LoraLayout(config, all);
    const base = flatten(config, randomLlamaWeights(config, 5)) as Float32Array;
    const plain = new TrainableModel(config, B, T, "f32", Float32Array.from(base));
    const adapted = new LoraModel(layout, base, new TrainableModel(config, B, T), layout.init(9));
    const { tokens, targets, weights } = batch(2);
    assert.equal(adapted.forward(tokens, targets, weights), plain.forward(tokens, targets, weights));
  });

  it("refuse a rank larger than a matrix it adapts, and unknown targets, by name", () => {
    assert.throws(
      () => new LoraLayout(config, { rank: 9, alpha: 9, targets: ["wq"] }),
      /LoRA rank 9 is larger than the 8×8 matrix attn_q it adapts \(at most 8\)/,
    );
    assert.throws(() => new LoraLayout(config, { rank: 5, alpha: 5, targets: ["wk"] }), /4×8 matrix attn_k/);
    assert.throws(() => new LoraLayout(config, { rank: 2, alpha: 2, targets: ["lm_head" as "wq"] }), /LoRA target "lm_head" is not one of/);
  });
});

const native = loadNative();
const skip = "addon" in native || process.env.BENIH_REQUIRE_NATIVE ? false : native.reason;

describe("LoRA on the C++ engine", { skip }, () => {
  // Sizes off the GEMM's tiles, and only some targets, so the slot bookkeeping is exercised.
  const big: LlamaConfig = { dim: 48, layers: 2, heads: 6, kvHeads: 2, ff: 80, vocab: 67, contextLength: 16 };
  const some: LoraSettings = { rank: 5, alpha: 7, targets: ["wk", "wo", "up", "down"] };

  it("merges and computes the TypeScript reference's adapter gradients (relative error ≤ 1e-4)", () => {
    if (!("addon" in native)) throw new Error(native.reason);
    for (const settings of [all, some]) {
      const layout = new LoraLayout(big, settings);
      const base = flatten(big, randomLlamaWeights(big, 7)) as Float32Array;
      const lora32 = adapter(layout, 8, "f32") as Float32Array;
      const ref = new LoraModel(
        layout,
        flatten(big, randomLlamaWeights(big, 7), "f64"),
        new TrainableModel(big, 3, 9, "f64"),
        Float64Array.from(lora32),
      );
      const nat = new LoraModel(layout, base, new NativeModel(native.addon, big, 3, 9, new Float32Array(base.length), layout), lora32);
      const { tokens, targets, weights } = batch(3, 3, 9, big.vocab);
      const lossRef = ref.forward(tokens, targets, weights);
      const lossNat = nat.forward(tokens, targets, weights);
      assert.ok(Math.abs(lossRef - lossNat) < 1e-5, `loss ${lossRef} vs ${lossNat}`);
      assert.ok(relError(ref.inner.params, nat.inner.params).rel < 1e-6, "merged weights");
      ref.backward();
      nat.backward();
      for (const s of layout.slots) {
        const n = settings.rank * (s.rows + s.cols);
        const { rel, norm } = relError(ref.grads.subarray(s.a, s.a + n), nat.grads.subarray(s.a, s.a + n));
        assert.ok(norm > 1e-8 && rel <= 1e-4, `blk.${s.layer}.${s.target}: relative error ${rel.toExponential(2)}`);
      }
    }
  });
});
