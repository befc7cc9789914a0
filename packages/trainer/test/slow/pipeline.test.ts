import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { trainerMetricLine } from "@benih/contracts";
import { readGguf } from "@benih/gguf";
import { createLlamaCpp } from "@benih/providers";
import { answerPerplexity, chatPrompt, microRecipe, scoreAnswers, train, TrainableModel } from "@benih/trainer";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";

const dir = mkdtempSync(join(tmpdir(), "benih-pipeline-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the training pipeline (micro recipe)", () => {
  it("stops on its signal with a checkpoint, resumes to the end, and exports a GGUF llama.cpp agrees with", async () => {
    const out = join(dir, "cn");
    const stop = new AbortController();
    const first = await train({
      recipe: microRecipe,
      dataset: "cn",
      dir: out,
      onStep: (m) => m.step === 7 && stop.abort(),
      signal: stop.signal,
    });
    assert.equal(first.stopped, true);
    assert.equal(first.run.step, 7);
    assert.ok(existsSync(join(out, "checkpoint.bin")));

    const done = await train({ recipe: microRecipe, dataset: "cn", dir: out });
    assert.equal(done.stopped, false);
    assert.equal(done.run.step, microRecipe.train.steps);
    // Each line is what the agent reads: the contract's metric line (a loss gone to NaN would fail here).
    const lines = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => trainerMetricLine.parse(JSON.parse(l)));
    assert.deepEqual(
      lines.map((l) => l.step),
      Array.from({ length: 20 }, (_, i) => i + 1),
      "one metrics line per step, across the resume",
    );
    assert.ok(lines.every((l) => typeof l.loss === "number" && l.lr > 0 && l.gradNorm > 0 && l.tokensPerSecond > 0));

    const gguf = readGguf(readFileSync(done.ggufPath!));
    assert.equal(gguf.metadata.get("general.name"), "benih-micro-cn");
    assert.equal(gguf.metadata.get("benih.steps"), 20n);
    assert.equal(gguf.metadata.get("benih.dataset"), "cn");

    // The trained weights, not only random ones, compute the same in llama.cpp as in the trainer.
    const prompt = chatPrompt("中国的首都是哪里？");
    const tokens = done.prepared.tokenizer.encode(prompt);
    const model = new TrainableModel(done.run.config, 1, tokens.length, "f32", done.run.model.params);
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    const lm = await llama.loadModel({ modelPath: done.ggufPath! });
    const ctx = await lm.createContext({ threads: 1, contextSize: 64 });
    try {
      assert.deepEqual(Array.from(lm.tokenize(prompt, true)), tokens);
      const seq = ctx.getSequence();
      const evals = await seq.controlledEvaluate(
        tokens.map((t, i) =>
          i === tokens.length - 1
            ? [t, { generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } }]
            : t,
        ) as never,
      );
      const theirs = evals.at(-1)!.next.probabilities!;
      const targets = new Int32Array(tokens.length);
      const weights = new Float32Array(tokens.length);
      weights[tokens.length - 1] = 1;
      let maxDiff = 0;
      for (const [token, p] of theirs) {
        targets[tokens.length - 1] = token;
        const ours = Math.exp(-model.forward(Int32Array.from(tokens), targets, weights));
        maxDiff = Math.max(maxDiff, Math.abs(ours - p));
      }
      assert.ok(maxDiff <= 1e-4, `max probability difference ${maxDiff}`);
    } finally {
      await ctx.dispose();
      await lm.dispose();
    }
  });

  it("evaluates the exported model through the llama-cpp provider, and validation perplexity in the trainer", async () => {
    const done = await train({ recipe: microRecipe, dataset: "global", dir: join(dir, "global") });
    const provider = createLlamaCpp({ models: [{ id: "m", path: done.ggufPath! }] });
    try {
      const sample = done.prepared.dataset.eval
        .filter((e) => e.lang === "en")
        .slice(0, 3)
        .concat(done.prepared.dataset.eval.filter((e) => e.lang === "id").slice(0, 2));
      const scores = await scoreAnswers(sample, async (q) => {
        const r = await provider
          .chatModel("m")
          .doGenerate({ prompt: [{ role: "user", content: [{ type: "text", text: q }] }], maxOutputTokens: 8, temperature: 0 });
        return r.content[0]?.type === "text" ? r.content[0].text : "";
      });
      assert.deepEqual(
        scores.map((s) => [s.lang, s.total]),
        [
          ["en", 3],
          ["id", 2],
        ],
      );
      for (const s of scores) assert.ok(s.exact <= s.contains && s.contains <= s.total);
    } finally {
      await provider.close?.();
    }
    const model = new TrainableModel(done.run.config, 2, 32, "f32", done.run.model.params);
    const ppl = answerPerplexity(model, done.prepared.tokenizer, done.prepared.dataset.validation.slice(0, 20));
    assert.ok(ppl > 1 && ppl < done.prepared.tokenizer.size, `perplexity ${ppl} lies between 1 and the vocabulary size`);
  });
});
