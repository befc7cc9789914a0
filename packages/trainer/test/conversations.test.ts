import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  assistantTurns,
  BpeTokenizer,
  buildDataset,
  chatSegments,
  chatText,
  readDatasetDir,
  scoreByKind,
  tokenStream,
  trainBpe,
  writeDatasetDir,
  type Example,
} from "@benih/trainer";
import { SOURCES_INSTRUCTION } from "../src/datasets/passages.ts";
import { sourcesPrompt } from "../../assistant/src/knowledge/sources.ts";

const base = buildDataset("base");
const dir = mkdtempSync(join(tmpdir(), "benih-conv-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sum: Example = {
  lang: "en",
  kind: "arithmetic",
  template: "",
  question: "What is 37 + 48?",
  answer: "37 + 48 = 85",
  tools: ["calculator"],
  turns: [
    { role: "assistant", calls: [{ name: "calculator", arguments: { expression: "37+48" } }] },
    { role: "tool", content: "85" },
  ],
};

describe("conversations with tool calls", () => {
  it("render exactly benih's tool-call format", () => {
    assert.equal(
      chatText(sum),
      "<|im_start|>system\n<tools>calculator</tools><|im_end|>\n<|im_start|>user\nWhat is 37 + 48?<|im_end|>\n" +
        '<|im_start|>assistant\n<tool_call>{"name":"calculator","arguments":{"expression":"37+48"}}</tool_call><|im_end|>\n' +
        "<|im_start|>tool\n85<|im_end|>\n<|im_start|>assistant\n37 + 48 = 85<|im_end|>\n",
    );
    const both = { ...sum, system: "Be brief.", tools: ["calculator", "other_tool"] };
    assert.ok(chatText(both).startsWith("<|im_start|>system\nBe brief.\n<tools>calculator, other_tool</tools><|im_end|>\n"));
  });

  it("weigh the assistant's turns 1 and system, user and tool turns less", () => {
    const tok = new BpeTokenizer(trainBpe([chatText(sum)], { merges: 30 }));
    const { tokens, weights } = tokenStream([sum], tok, 0.1);
    assert.equal(tok.decode(Array.from(tokens)), chatText(sum));
    let at = 0;
    for (const s of chatSegments(sum)) {
      const n = tok.encode(s.text).length;
      assert.ok(
        weights.subarray(at, at + n).every((w) => (s.target ? w === 1 : Math.abs(w - 0.1) < 1e-7)),
        s.text,
      );
      at += n;
    }
    assert.equal(at, tokens.length);
    const targets = chatSegments(sum)
      .filter((s) => s.target)
      .map((s) => s.text);
    assert.deepEqual(targets, [
      '<tool_call>{"name":"calculator","arguments":{"expression":"37+48"}}</tool_call><|im_end|>\n',
      "37 + 48 = 85<|im_end|>\n",
    ]);
  });

  it("score a model turn by turn: the call, then the answer after the expected result", async () => {
    const answers = new Map(assistantTurns(sum).map((t) => [t.prompt, t.expected]));
    const right = await scoreByKind([sum], async (p) => answers.get(p) ?? "");
    assert.deepEqual(right, [{ lang: "en", kind: "arithmetic", total: 1, exact: 1, contains: 1, calls: 1 }]);
    // A model that answers from memory instead of calling gets the answer turn right but not the call.
    const memorised = await scoreByKind([sum], async () => "37 + 48 = 85");
    assert.deepEqual(memorised, [{ lang: "en", kind: "arithmetic", total: 1, exact: 0, contains: 1, calls: 0 }]);
  });

  it("round-trip through JSON lines", () => {
    writeDatasetDir(dir, {
      name: "x",
      train: [sum, ...base.train.slice(0, 50)],
      validation: base.validation.slice(0, 5),
      eval: base.eval.slice(0, 5),
    });
    const back = readDatasetDir(dir);
    assert.deepEqual(back.train, [sum, ...base.train.slice(0, 50)]);
    assert.deepEqual(back.eval, base.eval.slice(0, 5));
  });
});

describe("the base dataset", () => {
  it("holds no market's facts, and every kind in zh, en and id", () => {
    assert.equal(base.train.filter((e) => ["capital", "currency", "continent", "language", "fact"].includes(e.kind)).length, 0);
    for (const lang of ["zh", "en", "id"])
      for (const kind of ["arithmetic", "conversion", "passage", "document", "copy", "identity"]) {
        assert.ok(
          base.train.some((e) => e.lang === lang && e.kind === kind),
          `${lang}/${kind} in train`,
        );
        assert.ok(
          base.eval.some((e) => e.lang === lang && e.kind === kind),
          `${lang}/${kind} in eval`,
        );
      }
    assert.ok(base.train.filter((e) => e.kind === "identity").every((e) => e.answer.includes("benih")));
  });

  it("never trains on a held-out phrasing or problem", () => {
    const train = new Set(base.train.map((e) => chatText(e)));
    const trainQuestions = new Set(base.train.map((e) => e.question));
    assert.ok(base.eval.every((e) => e.template.includes("/heldOut/")));
    assert.deepEqual(
      base.eval.filter((e) => train.has(chatText(e))),
      [],
    );
    assert.deepEqual(
      // Made-up names from lists may be asked of again, in other documents.
      base.eval.filter((e) => e.kind !== "passage" && e.kind !== "document" && trainQuestions.has(e.question)),
      [],
    );
  });

  it("calls the calculator with the expression whose result the answer gives", () => {
    const ops: Record<string, (a: number, b: number) => number> = { "+": (a, b) => a + b, "-": (a, b) => a - b, "*": (a, b) => a * b };
    // An oracle of its own: the units' definitions, not the calculator's code.
    const per: Record<string, number> = { km: 1000, mi: 1609.344, m: 1, ft: 0.3048, cm: 0.01, in: 0.0254, kg: 1, lb: 0.45359237 };
    Object.assign(per, { g: 0.001, oz: 0.028349523125, l: 1, gal: 3.785411784 });
    const convert = (x: number, from: string, to: string) =>
      from === "c" ? (x * 9) / 5 + 32 : from === "f" ? ((x - 32) * 5) / 9 : (x * per[from]!) / per[to]!;
    for (const e of [...base.train, ...base.eval].filter((x) => x.turns)) {
      const call = e.turns![0]!;
      const result = e.turns![1]!;
      assert.ok(call.role === "assistant" && result.role === "tool");
      const expression = String(call.calls[0]!.arguments.expression);
      const m = /^(-?[\d.]+)([+\-*])([\d.]+)$/.exec(expression) ?? /^([\d.]+) (\w+) to (\w+)$/.exec(expression);
      assert.ok(m, expression);
      const value = m[2]! in ops ? ops[m[2]!]!(Number(m[1]), Number(m[3])) : convert(Number(m[1]), m[2]!, m[3]!);
      assert.ok(
        Math.abs(Number(result.content) - value) <= 5e-6 * Math.max(1, Math.abs(value)),
        `${expression} = ${value}, not ${result.content}`,
      );
      assert.ok(e.answer.includes(result.content), `${e.answer} gives ${result.content}`);
      assert.ok(e.question.includes(String(m[1])), `${e.question} asks about ${m[1]}`);
    }
  });

  it("answers from passages and documents with text from the cited passage, in the search skill's prompt", () => {
    const passages = [...base.train, ...base.eval].filter((e) => e.kind === "passage" || e.kind === "document");
    assert.ok(passages.length > 6000);
    const hits = [{ text: "T" }] as unknown as Parameters<typeof sourcesPrompt>[1];
    const theirs = sourcesPrompt([{ n: 1, title: "a", page: null } as Parameters<typeof sourcesPrompt>[0][0]], hits);
    assert.ok(theirs.startsWith(`${SOURCES_INSTRUCTION}\n\n[1] a:\nT`));
    let cited = 0;
    for (const e of passages) {
      assert.ok(e.system!.startsWith(SOURCES_INSTRUCTION));
      const m = /^(.*?) ?\[(\d+)\]([.。])$/.exec(e.answer);
      if (!m) continue; // "the sources do not say"
      cited++;
      const blocks = e.system!.split(/\n\n(?=\[\d+\] )/).slice(1);
      const passage = blocks.find((b) => b.startsWith(`[${m[2]}] `));
      assert.ok(passage, `passage [${m[2]}] exists`);
      assert.ok(passage.includes(m[1]! + m[3]), `"${m[1]}" is in ${passage}`);
    }
    assert.ok(cited > passages.length * 0.8);
  });

  it("repeats made-up text word for word, each text once", () => {
    const copies = [...base.train, ...base.validation, ...base.eval].filter((e) => e.kind === "copy");
    assert.equal(copies.length, 6000);
    for (const e of copies) assert.ok(e.question.endsWith(`: ${e.answer}`) || e.question.endsWith(`：${e.answer}`), e.question);
    assert.ok(new Set(copies.map((e) => e.answer)).size > copies.length * 0.99);
  });

  it("makes up names and values a model cannot have remembered", () => {
    const answers = base.train.filter((e) => e.kind === "document" && e.lang === "en").map((e) => e.answer);
    const towns = new Set(answers.flatMap((a) => /^(.+?) has about \d+ residents/.exec(a)?.[1] ?? []));
    const things = new Set(answers.flatMap((a) => / is known for its (.+?) \[/.exec(a)?.[1] ?? []));
    assert.ok(towns.size > 200, `${towns.size} towns`);
    // The lists hold 8 things: the rest are made up.
    assert.ok(things.size > 50, `${things.size} things`);
  });

  it("fits every example in a 512-token context, passages within 400", () => {
    // A chunk of an uploaded document (kind "document") is longer: it need only fit the context.
    const tok = new BpeTokenizer(trainBpe(base.train.map(chatText), { merges: 1500 }));
    const length = (e: Example) => chatSegments(e).reduce((n, s) => n + tok.encode(s.text).length, 0);
    for (const e of [...base.train, ...base.validation, ...base.eval]) {
      const n = length(e);
      assert.ok(n <= (e.kind === "passage" ? 400 : 512), `${e.template}: ${n} tokens`);
    }
  });
});
