import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { llamaToGguf, randomLlamaWeights, type LlamaConfig, type LlamaWeights } from "@benih/gguf";
import { BpeTokenizer, forward, softmax, trainBpe } from "@benih/trainer";
import { getLlama, LlamaLogLevel, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import { nextTokenProbabilities } from "./next-token.ts";

// The exported GGUF must compute in llama.cpp exactly what benih's own forward pass computes. A matrix written
// transposed, a RoPE on the wrong pairs or a KV head mapped wrong all load without complaint and only show here.
const texts = Array.from({ length: 10 }, () =>
  ["The capital of Indonesia is Jakarta.", "中国的首都是北京。", "Ibu kota Jepang adalah Tokyo.", "What is 12 + 30? 42."].join("\n"),
);
const prompts = [
  "The capital of Indonesia is",
  "中国的首都是",
  "<|im_start|>user\nWhat is 12 + 30?<|im_end|>\n<|im_start|>assistant\n",
  "Ibu kota Jepang adalah Tokyo. 中国的首都是北京。The capital",
];

let dir: string;
let model: LlamaModel;
let context: LlamaContext;
let tokenizer: BpeTokenizer;
let config: LlamaConfig;
let weights: LlamaWeights;

before(async () => {
  tokenizer = new BpeTokenizer(trainBpe(texts, { merges: 60 }));
  // Square attention matrices (heads·D = dim) and grouped-query attention (4 heads over 2 KV heads) on purpose.
  config = { dim: 64, layers: 2, heads: 4, kvHeads: 2, ff: 96, vocab: tokenizer.size, contextLength: 128 };
  weights = randomLlamaWeights(config, 7);
  // Non-trivial norm weights, so a norm applied to the wrong tensor would show.
  for (const L of weights.layers)
    L.attnNorm.forEach((_, i, a) => {
      a[i] = 0.5 + (i % 7) / 7;
    });
  weights.finalNorm.forEach((_, i, a) => {
    a[i] = 1.5 - (i % 5) / 10;
  });
  dir = mkdtempSync(join(tmpdir(), "benih-parity-"));
  const path = join(dir, "parity.gguf");
  writeFileSync(path, llamaToGguf({ name: "parity", config, weights, tokenizer: tokenizer.vocab }));
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: path });
  context = await model.createContext({ threads: 1, contextSize: 128 });
});
after(async () => {
  await context.dispose();
  await model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("forward pass parity with llama.cpp (F32)", () => {
  for (const prompt of prompts) {
    it(`gives the same next-token distribution for ${JSON.stringify(prompt.slice(0, 30))}`, async () => {
      const tokens = tokenizer.encode(prompt);
      assert.deepEqual(Array.from(model.tokenize(prompt, true)), tokens);
      const ours = softmax(forward(config, weights, tokens).subarray((tokens.length - 1) * config.vocab));

      const probs = await nextTokenProbabilities(context, tokens);
      assert.equal(probs.size, config.vocab);
      let maxDiff = 0;
      for (const [token, p] of probs) maxDiff = Math.max(maxDiff, Math.abs(p - ours[token]!));
      // Up to ~2e-4 with some random weights (llama.cpp's CPU kernels round some intermediates to half
      // precision); a transposed matrix, a wrong RoPE or KV mapping differs by 1e-2 and more.
      assert.ok(maxDiff <= 3e-4, `max probability difference ${maxDiff}`);
    });
  }
});
