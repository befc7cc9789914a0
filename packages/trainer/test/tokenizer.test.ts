import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { llamaToGguf, randomLlamaWeights } from "@benih/gguf";
import { BpeTokenizer, pretokenize, trainBpe } from "@benih/trainer";
import { getLlama, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";

const corpus = [
  "The capital of Indonesia is Jakarta. The capital of France is Paris.",
  "What is the capital of Japan? The capital of Japan is Tokyo.",
  "Ibu kota Indonesia adalah Jakarta. Mata uang Indonesia adalah rupiah.",
  "中国的首都是北京。日本的首都是东京。法国的首都是巴黎。",
  "中国的货币是人民币。日本的货币是日元。",
  "12 + 30 = 42\n7 × 6 = 42\n100 km is 62 miles.",
  "I'm benih, an assistant. You're asking what we've learned; they'll see it'd work.",
  "  indented line\n\n\ttabbed line   with   spaces  \n",
];
const texts = Array.from({ length: 20 }, (_, i) => corpus.map((c) => c.replace(/\d+/g, (d) => String(Number(d) + i))).join("\n"));

const samples = [
  "The capital of Indonesia is Jakarta.",
  "What is the capital of Malaysia?",
  "中国的首都是北京。",
  "韩国的首都是哪里？",
  "Mata uang Jepang adalah yen.",
  "<|im_start|>user\nWhat is 12 + 30?<|im_end|>\n<|im_start|>assistant\n42<|im_end|>",
  "  leading spaces and trailing   ",
  "line one\nline two\n\n\nline five",
  "tabs\tand\r\nwindows line ends",
  "emoji 🌱 and accents: café, naïve, São Paulo",
  "It's 3.14159 — isn't it? They'll say we'd done it.",
  "mixed 中文 and English 混合 text 123",
  "",
];

let dir: string;
let model: LlamaModel;
let tokenizer: BpeTokenizer;

before(async () => {
  const merges = trainBpe(texts, { merges: 300 });
  tokenizer = new BpeTokenizer(merges);
  const config = { dim: 32, layers: 1, heads: 2, kvHeads: 1, ff: 64, vocab: tokenizer.size, contextLength: 256 };
  dir = mkdtempSync(join(tmpdir(), "benih-tok-"));
  const path = join(dir, "tok.gguf");
  writeFileSync(path, llamaToGguf({ name: "tok", config, weights: randomLlamaWeights(config, 1), tokenizer: tokenizer.vocab }));
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: path });
});
after(async () => {
  await model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("byte-level BPE", () => {
  it("learns merges for Chinese as well as English, deterministically", () => {
    const merges = trainBpe(texts, { merges: 300 });
    assert.deepEqual(merges, trainBpe(texts, { merges: 300 }));
    const t = new BpeTokenizer(merges);
    assert.equal(t.encode("中国的首都是北京。").length, 9, "each Chinese character is one token, none spans two");
    assert.deepEqual(
      t.encode("首都是北京").slice(-2),
      t.encode("你知道北京").slice(-2),
      "a name's tokens do not depend on what precedes it",
    );
    const digits = t.encode("3692");
    assert.equal(digits.length, 4, "one token per digit");
    assert.deepEqual(t.encode(" 3692").slice(-4), digits, "a number is the same digits after a space");
    assert.deepEqual(t.encode('"3692"').slice(1, 5), digits, "and inside quotes");
    assert.ok(t.encode(" capital").length === 1, "a frequent English word becomes one token");
  });

  it("pre-tokenizes like llama.cpp's gpt-2 regex, keeping the text between matches", () => {
    assert.deepEqual(pretokenize("Hi there!\nok"), ["Hi", " there", "!", "\n", "ok"]);
    assert.equal(pretokenize("  a \n\n b").join(""), "  a \n\n b");
  });

  it("gives exactly llama.cpp's token ids for the same vocabulary", () => {
    for (const s of samples) {
      const ours = tokenizer.encode(s);
      const theirs = Array.from(model.tokenize(s, true));
      assert.deepEqual(ours, theirs, `token ids differ for ${JSON.stringify(s)}`);
      assert.equal(tokenizer.decode(ours), s, "decoding gives the text back");
    }
  });
});
