import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randomLlamaWeights, seededRandom, type LlamaConfig } from "@benih/gguf";
import { carve, flatten, forward, TrainableModel, unflatten } from "@benih/trainer";

// A micro config: every kind of tensor, grouped-query attention, two layers, small enough to difference every
// single parameter.
const config: LlamaConfig = { dim: 8, layers: 2, heads: 4, kvHeads: 2, ff: 12, vocab: 19, contextLength: 16 };
const B = 2;
const T = 5;

function batch(seed: number) {
  const r = seededRandom(seed);
  const tokens = Int32Array.from({ length: B * T }, () => Math.floor(r() * config.vocab));
  const targets = Int32Array.from({ length: B * T }, () => Math.floor(r() * config.vocab));
  // Question tokens weigh 0.1, answer tokens 1, one token masked: the weighting is part of what is checked.
  const weights = Float32Array.from({ length: B * T }, (_, i) => (i === 3 ? 0 : i % T < 2 ? 0.1 : 1));
  return { tokens, targets, weights };
}

function randomizedParams(seed: number) {
  const w = randomLlamaWeights(config, seed);
  const r = seededRandom(seed + 1);
  // Norm weights away from 1, so their gradients are not a special case.
  for (const l of w.layers)
    for (const v of [l.attnNorm, l.ffnNorm])
      v.forEach((_, i, a) => {
        a[i] = 0.5 + r();
      });
  w.finalNorm.forEach((_, i, a) => {
    a[i] = 0.5 + r();
  });
  return w;
}

describe("trainer gradients", () => {
  it("match central finite differences for every parameter tensor (relative error ≤ 1e-3)", () => {
    const model = new TrainableModel(config, B, T, "f64", flatten(config, randomizedParams(3), "f64"));
    const { tokens, targets, weights } = batch(11);
    model.zeroGrad();
    model.forward(tokens, targets, weights);
    model.backward();

    const h = 1e-5;
    const numeric = new Float64Array(model.params.length);
    for (let i = 0; i < model.params.length; i++) {
      const keep = model.params[i]!;
      model.params[i] = keep + h;
      const up = model.forward(tokens, targets, weights);
      model.params[i] = keep - h;
      const down = model.forward(tokens, targets, weights);
      model.params[i] = keep;
      numeric[i] = (up - down) / (2 * h);
    }
    const analytic = carve(config, model.grads);
    const fd = carve(config, numeric);
    const tensors: Array<[string, Float64Array | Float32Array, Float64Array | Float32Array]> = [
      ["token_embd", analytic.tokenEmbedding, fd.tokenEmbedding],
      ["output_norm", analytic.finalNorm, fd.finalNorm],
    ];
    analytic.layers.forEach((l, i) => {
      for (const k of Object.keys(l) as Array<keyof typeof l>) tensors.push([`blk.${i}.${k}`, l[k], fd.layers[i]![k]]);
    });
    for (const [name, a, n] of tensors) {
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < a.length; i++) {
        diff += (a[i]! - n[i]!) ** 2;
        norm = Math.max(norm, Math.abs(a[i]!), Math.abs(n[i]!));
      }
      const rel = Math.sqrt(diff / a.length) / norm;
      assert.ok(norm > 1e-6, `${name} has gradient signal`);
      assert.ok(rel <= 1e-3, `${name}: relative error ${rel.toExponential(2)}`);
    }
  });

  it("computes the same logits as the reference forward pass that llama.cpp agrees with", () => {
    const w = randomizedParams(5);
    const model = new TrainableModel(config, 1, T, "f32", flatten(config, w));
    const { tokens } = batch(2);
    const seq = Array.from(tokens.subarray(0, T));
    const ref = forward(config, unflatten(config, model.params), seq);
    // The loss at each position with every target is enough to pin the logits down; compare the full softmax.
    for (let t = 0; t < T; t++) {
      const targets = new Int32Array(T);
      const weights = new Float32Array(T);
      weights[t] = 1;
      let maxDiff = 0;
      for (let v = 0; v < config.vocab; v++) {
        targets[t] = v;
        const nll = model.forward(Int32Array.from(seq), targets, weights);
        const row = ref.subarray(t * config.vocab, (t + 1) * config.vocab);
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
        maxDiff = Math.max(maxDiff, Math.abs(nll - (lse - row[v]!)));
      }
      assert.ok(maxDiff < 1e-4, `position ${t}: max difference ${maxDiff}`);
    }
  });
});
