import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BpeTokenizer, buildDataset, chatPrompt, readExamples, tokenStream, trainBpe, writeExamples } from "@benih/trainer";

const global = buildDataset("global");
const cn = buildDataset("cn");
const dir = mkdtempSync(join(tmpdir(), "benih-ds-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("market datasets", () => {
  it("are built the same way every time", () => {
    assert.deepEqual(buildDataset("cn"), cn);
  });

  it("cn is Simplified Chinese, global is English and Indonesian", () => {
    assert.deepEqual(new Set(cn.train.map((e) => e.lang)), new Set(["zh"]));
    assert.deepEqual(new Set(global.train.map((e) => e.lang)), new Set(["en", "id"]));
    const all = [...cn.train, ...cn.validation];
    assert.ok(
      all.some((e) => e.question.startsWith("中国的首都") && e.answer === "北京。"),
      "China's capital is in the cn data",
    );
    assert.ok(
      [...global.train, ...global.validation].some((e) => e.question === "What is the capital of Indonesia?" && e.answer === "Jakarta."),
    );
    assert.ok(global.eval.some((e) => e.lang === "id" && e.kind === "capital"));
  });

  it("phrase every eval question with a template never used in training", () => {
    for (const ds of [cn, global]) {
      const trainTemplates = new Set(ds.train.map((e) => e.template));
      assert.ok(ds.eval.every((e) => e.template.includes("/heldOut/") && !trainTemplates.has(e.template)));
      const trainQuestions = new Set(ds.train.map((e) => e.question));
      const overlap = ds.eval.filter((e) => trainQuestions.has(e.question));
      assert.deepEqual(overlap, [], "no eval question appears verbatim in training");
      assert.ok(
        ds.validation.every((e) => !trainQuestions.has(e.question)),
        "validation rows are held out",
      );
      assert.ok(ds.validation.length > 100 && ds.eval.length > 800);
    }
  });

  it("ask the calculator's problems in the wider phrasings too, still none of them held out", () => {
    // Phrasings are numbered in the template: the base's 12 per operation (0–11), then the wider set.
    const wider = (ds: typeof cn, kind: string) =>
      ds.train.filter((e) => e.kind === kind && Number(e.template.split("/").at(-1)) >= (kind === "arithmetic" ? 12 : 8));
    assert.ok(wider(cn, "arithmetic").some((e) => /^\S+乘\S+是多少？$/.test(e.question)));
    assert.ok(wider(global, "conversion").some((e) => e.lang === "id") && wider(global, "arithmetic").some((e) => e.lang === "en"));
    const base = buildDataset("base");
    assert.deepEqual(wider(base, "arithmetic"), [], "the base's dataset is the one the shipped base was trained on");
  });

  it("weigh answer tokens 1 and prompt tokens less, in one stream", () => {
    const sample = cn.train.slice(0, 50);
    const tok = new BpeTokenizer(
      trainBpe(
        sample.map((e) => chatPrompt(e.question) + e.answer),
        { merges: 50 },
      ),
    );
    const { tokens, weights } = tokenStream(sample.slice(0, 1), tok, 0.1);
    const promptLength = tok.encode(chatPrompt(sample[0]!.question)).length;
    assert.equal(tokens.length, weights.length);
    assert.ok(weights.subarray(0, promptLength).every((w) => Math.abs(w - 0.1) < 1e-7));
    assert.ok(weights.subarray(promptLength).every((w) => w === 1));
    assert.equal(tok.decode(Array.from(tokens)), `${chatPrompt(sample[0]!.question) + sample[0]!.answer}<|im_end|>\n`);
  });

  it("round-trip through JSON lines, and name the file and line of a broken one", () => {
    const path = join(dir, "train.jsonl");
    writeExamples(path, cn.train.slice(0, 10));
    assert.deepEqual(readExamples(path), cn.train.slice(0, 10));
    const broken = join(dir, "broken.jsonl");
    writeFileSync(broken, `${JSON.stringify(cn.train[0])}\n{"question": "x", "answer": \n`);
    assert.throws(() => readExamples(broken), /broken\.jsonl:2: not valid JSON/);
    const missing = join(dir, "missing.jsonl");
    writeFileSync(missing, `{"question": "x"}\n`);
    assert.throws(() => readExamples(missing), /missing\.jsonl:1: "answer" must be a non-empty string/);
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "\n\n");
    assert.throws(() => readExamples(empty), /empty\.jsonl has no examples/);
  });
});
