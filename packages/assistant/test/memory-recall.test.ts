import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { byteCount, neededFor, type ContextWindow } from "../src/context-budget.ts";
import { fitAnswer } from "../src/conversations/fit-answer.ts";
import { fitMemories, MEMORY_HEADING, withMemoryMeta } from "../src/memory/fit-memories.ts";
import { memoryIntent } from "../src/memory/intent.ts";

const bytes = (length: number): ContextWindow => ({ length, count: byteCount });
import { closestMemory, rankMemories } from "../src/memory/rank.ts";

// What the assistant does with memory without a model: the requests to remember or forget it recognises (and the
// look-alikes it leaves alone), how it ranks a person's memories for a message, and how many fit the context.

const memory = (id: string, content: string) => ({
  id,
  content,
  owner: "ana",
  created_at: 0,
  updated_at: 0,
  source_conversation: null,
  source_message: null,
});

describe("requests to remember and to forget", () => {
  it("recognises them in English, Chinese and Indonesian, keeping the stated fact's first sentence", () => {
    const cases: Array<[string, "remember" | "forget", string]> = [
      ["remember that I prefer metric units", "remember", "I prefer metric units"],
      ["Please remember that I live in Jakarta!", "remember", "I live in Jakarta"],
      ["Remember: my cat is Milo. What should I feed him?", "remember", "my cat is Milo"],
      ["记住我喜欢公制单位", "remember", "我喜欢公制单位"],
      ["请记住：我住在上海。", "remember", "我住在上海"],
      ["帮我记住，明天九点开会", "remember", "明天九点开会"],
      ["ingat bahwa saya lebih suka satuan metrik", "remember", "saya lebih suka satuan metrik"],
      ["Ingatlah saya vegetarian.", "remember", "saya vegetarian"],
      ["Forget that I prefer metric units", "forget", "I prefer metric units"],
      ["请忘记我喜欢公制单位", "forget", "我喜欢公制单位"],
      ["lupakan bahwa saya vegetarian", "forget", "saya vegetarian"],
    ];
    for (const [message, kind, fact] of cases) assert.deepEqual(memoryIntent(message), { kind, fact }, message);
  });

  it("leaves alone messages that only talk about remembering or forgetting", () => {
    for (const message of [
      "Do you remember when we met?",
      "I remember that day",
      "Remember to buy milk",
      "remember: what was my cat's name?",
      "remember that",
      "还记得吗",
      "记住了吗？",
      "记住单词的方法",
      "忘记密码怎么办",
      "ingat kapan kita bertemu?",
      "lupakan saja",
    ])
      assert.equal(memoryIntent(message), undefined, message);
  });
});

describe("ranking a person's memories", () => {
  const mine = [
    memory("m1", "I like coffee"),
    memory("m2", "I prefer metric units"),
    memory("m3", "我喜欢喝咖啡"),
    memory("m4", "我喜欢公制单位"),
    memory("m5", "my cat is Milo"),
  ];

  it("puts those sharing words with the message first, Chinese by its words and character pairs", () => {
    assert.equal(rankMemories("which units should I use for distances?", mine)[0]?.id, "m2");
    assert.equal(rankMemories("公制单位怎么换算", mine)[0]?.id, "m4");
    assert.deepEqual(
      rankMemories("hello there", mine).map((m) => m.id),
      ["m1", "m2", "m3"],
      "nothing matches: the newest few",
    );
    assert.equal(rankMemories("what does Milo eat", mine).length, 3, "one match and two of the newest");
  });

  it("forgets only a memory close to what is named", () => {
    assert.equal(closestMemory("I prefer metric units", mine)?.id, "m2");
    assert.equal(closestMemory("metric units", mine)?.id, "m2");
    assert.equal(closestMemory("我喜欢公制单位", mine)?.id, "m4");
    assert.equal(closestMemory("I like tea", mine), undefined, "not the coffee");
    assert.equal(closestMemory("我喜欢喝茶", mine), undefined, "不是咖啡");
  });
});

describe("fitting memories to the context", () => {
  const ranked = Array.from({ length: 40 }, (_, i) => memory(`m${i}`, `fact number ${i} `.repeat(5).trim()));
  const recall = { meta: {}, notes: [], ranked };

  it("takes at most a tenth of a known context, and all of a few when the context is unknown", () => {
    const fitted = fitMemories(recall, { instructions: "Be brief.", chip: undefined, question: "Hi", window: bytes(4096) });
    assert.ok(fitted.instructions!.startsWith(`Be brief.\n\n${MEMORY_HEADING}`), "after the agent's instructions");
    const used = fitted.meta!.used!;
    assert.ok(used.length > 0 && used.length < 40);
    assert.ok(Buffer.byteLength(fitted.instructions!) - Buffer.byteLength("Be brief.\n\n") <= 409);
    const few = { ...recall, ranked: ranked.slice(0, 10) };
    const unknown = fitMemories(few, { instructions: undefined, chip: undefined, question: "Hi", window: undefined });
    assert.equal(unknown.meta!.used!.length, 10);
  });

  it("never makes a prompt that fits without memories stop fitting", () => {
    const ctx = 8192;
    // The agent's instructions leave room for the question, the answer and 100 tokens: less than the memories take.
    const instructions = "x".repeat(ctx - neededFor(bytes(ctx), ["", "Hi"]) - 100);
    const fitted = fitMemories(recall, { instructions, chip: undefined, question: "Hi", window: bytes(ctx) });
    assert.equal(fitted.meta, undefined, "none fits, none is listed as used");
    const plan = fitAnswer({ chip: undefined, instructions: fitted.instructions, question: "Hi", model: "m", window: bytes(ctx) });
    assert.equal(plan.kind, "model");
  });

  it("lists no memory as used on an answer given without the model", () => {
    const plan = fitAnswer({ chip: undefined, instructions: "y".repeat(900), question: "Hi", model: "m", window: bytes(256) });
    const meta = { used: [{ id: "m1", content: "x" }], remembered: { id: "m2", content: "y" } };
    const withMeta = withMemoryMeta(plan, meta);
    assert.equal(withMeta.kind, "direct");
    if (withMeta.kind === "direct") assert.deepEqual(withMeta.answer.meta.memory, { remembered: { id: "m2", content: "y" } });
  });
});
