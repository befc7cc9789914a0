import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  llamaToGguf,
  randomLlamaWeights,
  readLoraAdapter,
  seededRandom,
  TensorType,
  ValueType,
  writeGguf,
  type LlamaConfig,
  type LlamaWeights,
} from "@benih/gguf";
import {
  BpeTokenizer,
  exportGguf,
  exportLoraAdapter,
  forward,
  loadBaseModel,
  LoraLayout,
  softmax,
  trainBpe,
  unflatten,
  type ModelCard,
} from "@benih/trainer";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { nextTokenProbabilities } from "./next-token.ts";

// A LoRA adapter exported by the trainer, loaded by llama.cpp onto its base, must compute what the trainer's
// merged weights compute: a transposed A or B, a wrong scale or tensor name would load and only show here.
const texts = Array.from({ length: 10 }, () =>
  ["The capital of Indonesia is Jakarta.", "中国的首都是北京。", "What is 12 + 30? 42."].join("\n"),
);
const prompts = ["The capital of Indonesia is", "中国的首都是", "<|im_start|>user\nWhat is 12 + 30?<|im_end|>\n<|im_start|>assistant\n"];
const card: ModelCard = {
  name: "lora-parity",
  description: "test",
  recipe: "test",
  dataset: "test",
  steps: 1,
  tokensSeen: 1,
  finalLoss: 1,
  wallSeconds: 1,
};

let dir: string;
let llama: Llama;
let tokenizer: BpeTokenizer;
let config: LlamaConfig;
let weights: LlamaWeights;
let basePath: string;

before(async () => {
  tokenizer = new BpeTokenizer(trainBpe(texts, { merges: 60 }));
  config = { dim: 64, layers: 2, heads: 4, kvHeads: 2, ff: 96, vocab: tokenizer.size, contextLength: 128 };
  weights = randomLlamaWeights(config, 7);
  dir = mkdtempSync(join(tmpdir(), "benih-lora-parity-"));
  basePath = join(dir, "base.gguf");
  writeFileSync(basePath, llamaToGguf({ name: "base", config, weights, tokenizer: tokenizer.vocab }));
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("fine-tuning from a GGUF", () => {
  it("reads F32 exactly, and F16 and Q8_0 dequantised, with the file's tokenizer", () => {
    const f32 = loadBaseModel(basePath);
    assert.deepEqual(f32.config, { ...config, normEps: f32.config.normEps, ropeTheta: 10000 });
    assert.equal(f32.storedAs, "F32");
    assert.deepEqual(f32.tokenizer.encode("中国的首都是北京。"), tokenizer.encode("中国的首都是北京。"));
    const exact = unflatten(f32.config, f32.params);
    assert.deepEqual(exact.layers[1]!.down, weights.layers[1]!.down);
    for (const [type, tolerance] of [
      [TensorType.F16, 1e-3],
      [TensorType.Q8_0, 1e-2],
    ] as const) {
      const path = join(dir, `base-${type}.gguf`);
      writeFileSync(path, llamaToGguf({ name: "base", config, weights, tokenizer: tokenizer.vocab, type }));
      const m = loadBaseModel(path);
      assert.equal(m.storedAs, type === TensorType.F16 ? "F16" : "Q8_0");
      let worst = 0;
      for (let i = 0; i < m.params.length; i++) worst = Math.max(worst, Math.abs(m.params[i]! - f32.params[i]!));
      assert.ok(worst > 0 && worst < tolerance, `${m.storedAs}: largest difference ${worst}`);
    }
  });

  it("refuses a GGUF of another architecture, an adapter, and a truncated file, naming the file and the problem", () => {
    const qwen = join(dir, "qwen.gguf");
    writeFileSync(qwen, writeGguf([{ key: "general.architecture", type: ValueType.STRING, value: "qwen2" }], []));
    assert.throws(() => loadBaseModel(qwen), {
      message: `${qwen}: architecture "qwen2" is not supported: benih trains llama-architecture models`,
    });
    const cut = join(dir, "cut.gguf");
    writeFileSync(cut, readFileSync(basePath).subarray(0, 200_000));
    assert.throws(() => loadBaseModel(cut), new RegExp(`^GgufModelError: ${cut}: tensor .* runs past the end of the file`));
    const layout = new LoraLayout(config, { rank: 4, alpha: 8, targets: ["wq"] });
    const adapter = join(dir, "adapter.gguf");
    writeFileSync(adapter, exportLoraAdapter(layout, layout.init(1), loadBaseModel(basePath), card));
    assert.throws(() => loadBaseModel(adapter), /adapter\.gguf: is a LoRA adapter, not a model/);
    assert.throws(() => loadBaseModel(join(dir, "missing.gguf")), /missing\.gguf: cannot be read/);
    // Hand-made headers: an array of arrays (unbounded nesting) and an alignment of 0 (no data offset).
    const header = (kv: (v: DataView, at: number) => number) => {
      const v = new DataView(new ArrayBuffer(256));
      v.setUint32(0, 0x46554747, true);
      v.setUint32(4, 3, true);
      v.setBigUint64(8, 0n, true);
      v.setBigUint64(16, 1n, true);
      const end = kv(v, 24);
      return new Uint8Array(v.buffer, 0, end);
    };
    const key = (v: DataView, at: number, name: string) => {
      v.setBigUint64(at, BigInt(name.length), true);
      new Uint8Array(v.buffer).set(new TextEncoder().encode(name), at + 8);
      return at + 8 + name.length;
    };
    const nested = join(dir, "nested.gguf");
    writeFileSync(
      nested,
      header((v, at) => {
        const p = key(v, at, "x");
        v.setUint32(p, ValueType.ARRAY, true);
        v.setUint32(p + 4, ValueType.ARRAY, true);
        v.setBigUint64(p + 8, 1n, true);
        return p + 16;
      }),
    );
    assert.throws(() => loadBaseModel(nested), /nested\.gguf: GGUF metadata holds an array of arrays/);
    const unaligned = join(dir, "unaligned.gguf");
    writeFileSync(
      unaligned,
      header((v, at) => {
        const p = key(v, at, "general.alignment");
        v.setUint32(p, ValueType.UINT32, true);
        v.setUint32(p + 4, 0, true);
        return p + 8;
      }),
    );
    assert.throws(() => loadBaseModel(unaligned), /unaligned\.gguf: GGUF general\.alignment 0 is not a power of two/);
  });
});

describe("LoRA adapters in llama.cpp", () => {
  it("base + the exported adapter gives the trainer's merged model's next-token distribution (≤ 1e-4)", async () => {
    const base = loadBaseModel(basePath);
    const layout = new LoraLayout(config, { rank: 8, alpha: 16, targets: ["wq", "wk", "wv", "wo", "gate", "up", "down"] });
    // A trained-looking adapter: B non-zero, so every pair moves the output.
    const rnd = seededRandom(3);
    const adapter = layout.init(5);
    for (const s of layout.slots) for (let i = 0; i < s.rows * 8; i++) adapter[s.b + i] = (rnd() * 2 - 1) * 0.05;
    const adapterPath = join(dir, "adapter-all.gguf");
    writeFileSync(adapterPath, exportLoraAdapter(layout, adapter, base, card));
    const read = readLoraAdapter(readFileSync(adapterPath), adapterPath);
    assert.equal(read.base.sha256, base.sha256);
    assert.equal(read.pairs.length, 2 * 7);
    const merged = new Float32Array(base.params.length);
    layout.merge(base.params, adapter, merged);
    const mergedPath = join(dir, "merged.gguf");
    writeFileSync(mergedPath, exportGguf(config, merged, tokenizer, card));

    const baseModel = await llama.loadModel({ modelPath: basePath });
    const mergedModel = await llama.loadModel({ modelPath: mergedPath });
    const adapted = await baseModel.createContext({ threads: 1, contextSize: 128, lora: { adapters: [{ filePath: adapterPath }] } });
    const plain = await baseModel.createContext({ threads: 1, contextSize: 128 });
    const mergedContext = await mergedModel.createContext({ threads: 1, contextSize: 128 });
    try {
      for (const prompt of prompts) {
        const tokens = tokenizer.encode(prompt);
        const ours = softmax(forward(config, unflatten(config, merged), tokens).subarray((tokens.length - 1) * config.vocab));
        const withAdapter = await nextTokenProbabilities(adapted, tokens);
        const fromMerged = await nextTokenProbabilities(mergedContext, tokens);
        const without = await nextTokenProbabilities(plain, tokens);
        let maxDiff = 0;
        let maxMerged = 0;
        let moved = 0;
        for (const [token, p] of withAdapter) {
          maxDiff = Math.max(maxDiff, Math.abs(p - ours[token]!));
          maxMerged = Math.max(maxMerged, Math.abs(p - fromMerged.get(token)!));
          moved = Math.max(moved, Math.abs(p - without.get(token)!));
        }
        assert.ok(maxDiff <= 1e-4, `${prompt}: base + adapter vs the trainer's merged weights: ${maxDiff}`);
        assert.ok(maxMerged <= 1e-4, `${prompt}: base + adapter vs the merged GGUF: ${maxMerged}`);
        assert.ok(moved > 1e-3, `${prompt}: the adapter changes the distribution (by ${moved})`);
      }
    } finally {
      await adapted.dispose();
      await plain.dispose();
      await mergedContext.dispose();
      await baseModel.dispose();
      await mergedModel.dispose();
    }
  });
});
