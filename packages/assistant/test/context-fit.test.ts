import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KbHit } from "@benih/store";
import { openTestSqlite } from "@benih/store/testing";
import { ModelError, respond, type ModelClient } from "../src/index.ts";
import type { StreamOptions } from "../src/model-client.ts";
import { byteCount, type ContextWindow } from "../src/context-budget.ts";
import { handedSources } from "../src/conversations/answer.ts";
import { fitAnswer } from "../src/conversations/fit-answer.ts";
import { history } from "../src/respond.ts";

/** A context counted one token per byte, as for a model whose tokenizer the server does not have. */
const bytes = (length: number): ContextWindow => ({ length, count: byteCount });

// Prompts fitted to a model's context: sources cut or quoted without the model, instructions that cannot fit
// answered with a notice, older turns left out, and a model's own "too long" turned into the same answers.
const hit = (n: number, text: string): KbHit => ({
  documentId: `doc-${n}`,
  title: `Doc ${n}`,
  source: `doc${n}.md`,
  page: n,
  text,
  score: 10 - n,
});
const long = (word: string) => `${word} `.repeat(400).trim();

describe("fitting an answer to the model's context", () => {
  it("gives a large context every source whole, a middling one fewer and shorter ones, a tiny one the sources quoted", () => {
    const hits = [hit(1, long("alpha")), hit(2, long("beta")), hit(3, long("gamma"))];
    const chip = { kind: "sourced" as const, hits, meta: { skill: "search" } };
    const plan = (contextLength: number | undefined) =>
      fitAnswer({
        chip,
        instructions: undefined,
        question: "Where?",
        model: "m",
        window: contextLength ? bytes(contextLength) : undefined,
      });

    const whole = plan(32_768);
    assert.equal(whole.kind, "model");
    assert.ok(whole.kind === "model" && hits.every((h) => whole.system.includes(h.text)));
    assert.equal(whole.kind === "model" && whole.meta.citations?.length, 3);

    const middling = plan(2048);
    assert.equal(middling.kind, "model");
    if (middling.kind === "model") {
      assert.ok(Buffer.byteLength(middling.system) <= 2048 - 512, "the sources leave a quarter of the context to answer in");
      assert.ok(middling.system.includes("[1] Doc 1, page 1:\nalpha alpha"));
      assert.ok(!middling.system.includes(hits[0]!.text), "the passages are cut");
      assert.equal(middling.meta.citations?.length, middling.system.match(/^\[\d\] /gm)?.length);
    }

    const tiny = plan(128);
    assert.equal(tiny.kind, "direct");
    if (tiny.kind === "direct") {
      assert.deepEqual(tiny.answer.meta.notice, { code: "extracted", skill: "search" });
      assert.deepEqual(
        tiny.answer.meta.citations?.map((c) => c.n),
        [1, 2, 3],
      );
      assert.match(tiny.answer.content, /^> alpha alpha .*… \[1\]$/m);
      assert.ok(tiny.answer.content.length < 3 * 700, "each quote is cut short");
    }
    assert.equal(plan(undefined).kind, "model", "an unknown context is not guessed at");
  });

  it("hands a model that follows no other instructions the passages only of questions on the knowledge base, when its card says", () => {
    const hits = [hit(1, "Brindlewick has about 48200 residents.")];
    const plan = (answersFromSources: boolean) =>
      fitAnswer({
        chip: { kind: "sourced", hits, meta: { skill: "search" } },
        instructions: "You are a researcher.",
        question: "How many people live in Brindlewick?",
        model: "tiny",
        window: bytes(2048),
        followsInstructions: false,
        answersFromSources,
      });
    const handed = plan(true);
    assert.equal(handed.kind, "model");
    // The sources prompt alone, as it was trained on: no agent's instructions before it.
    assert.ok(handed.kind === "model" && handed.system.startsWith("Answer the user's question from these sources"));
    assert.ok(handed.kind === "model" && handed.system.includes("[1] Doc 1, page 1:\nBrindlewick has about 48200 residents."));
    const quoted = plan(false);
    assert.equal(quoted.kind === "direct" && quoted.answer.meta.notice?.code, "extracted");

    const cards = { followsInstructions: () => false, answersFromSources: (m: string) => m === "tiny" };
    assert.equal(handedSources(cards, "tiny", { skill: "search" }), true);
    assert.equal(handedSources(cards, "other", { skill: "search" }), false, "its card does not say");
    // Web pages and attachments ("summarise this") ask more than looking a sentence up: quoted.
    assert.equal(handedSources(cards, "tiny", { skill: "web" }), false);
    assert.equal(handedSources(cards, "tiny", { attachments: [{ id: "d", title: "a", source: "a.pdf" }] }), false);
    assert.equal(handedSources(cards, "tiny", { skill: "search", attachments: [{ id: "d", title: "a", source: "a.pdf" }] }), false);
    assert.equal(handedSources({ followsInstructions: () => true }, "large", { skill: "web" }), true);
  });

  it("with no sources found, tells a large model so and does not ask a tiny one (it would answer as if sourced)", () => {
    const chip = { kind: "sourced" as const, hits: [], meta: { skill: "search" } };
    const plan = (contextLength: number) =>
      fitAnswer({ chip, instructions: undefined, question: "Where?", model: "m", window: bytes(contextLength) });
    const large = plan(8192);
    assert.ok(large.kind === "model" && /has nothing on this question/.test(large.system));
    const tiny = plan(128);
    assert.equal(tiny.kind, "direct");
    assert.deepEqual(tiny.kind === "direct" && tiny.answer.meta.notice, { code: "nothing_found", skill: "search" });
    assert.deepEqual(tiny.kind === "direct" && tiny.answer.meta.citations, []);
  });

  it("answers instructions that cannot fit with the question with a notice, and sends a plain question as it is", () => {
    const chip = {
      kind: "grounded" as const,
      system: "Translate the user's text into English, keeping its formatting.",
      meta: { skill: "translate" },
    };
    const small = fitAnswer({ chip, instructions: undefined, question: "日本的首都是哪里？", model: "tiny", window: bytes(128) });
    assert.equal(small.kind, "direct");
    if (small.kind === "direct") {
      const notice = small.answer.meta.notice!;
      assert.deepEqual([notice.code, notice.skill, notice.contextLength], ["needs_larger_model", "translate", 128]);
      assert.ok(notice.needed! > 128);
      assert.match(small.answer.content, new RegExp(`about ${notice.needed} tokens, and tiny has 128`));
    }
    assert.equal(fitAnswer({ chip, instructions: undefined, question: "Hi", model: "big", window: bytes(4096) }).kind, "model");
    const plain = fitAnswer({ chip: undefined, instructions: undefined, question: "x".repeat(500), model: "tiny", window: bytes(128) });
    assert.deepEqual([plain.kind, plain.kind === "model" && plain.system], ["model", ""], "only the model knows if a plain question fits");
  });

  it("leaves older turns out of a prompt to fit, keeping the question", () => {
    let seq = 0;
    const messages = ["first question", "first answer", "second question", "second answer", "third question"].map((content, i) => ({
      id: `m${i}`,
      conversation_id: "c",
      parent_id: i ? `m${i - 1}` : null,
      seq: ++seq,
      created_at: 0,
      updated_at: 0,
      role: i % 2 ? "assistant" : "user",
      content,
      status: "done",
      model: null,
      error: null,
      meta: "{}",
      feedback: null,
      feedback_comment: null,
      feedback_at: null,
    }));
    const last = messages.at(-1)!;
    assert.equal(history(messages, last).length, 5);
    const fitted = history(messages, last, "Be brief.", { tokens: 100, count: byteCount });
    assert.deepEqual(
      fitted.map((t) => t.content),
      ["Be brief.", "second question", "second answer", "third question"],
    );
    assert.deepEqual(
      history(messages, last, undefined, { tokens: 1, count: byteCount }).map((t) => t.content),
      ["third question"],
    );
  });
});

describe("an answer the model refuses", () => {
  const refusing = (code: string, message: string): ModelClient => ({
    // biome-ignore lint/correctness/useYield: it fails before a word
    async *stream(_o: StreamOptions) {
      throw new ModelError(400, message, code);
    },
  });
  const answer = async (client: ModelClient) => {
    const { store, dispose } = await openTestSqlite();
    try {
      const c = await store.conversations.create({ owner: null, title: "", model: "tiny" });
      const parent = await store.conversations.addMessage({
        conversation_id: c.id,
        parent_id: null,
        role: "user",
        content: "Hi",
        status: "done",
      });
      const plan = fitAnswer({ chip: undefined, instructions: undefined, question: "Hi", model: "tiny", window: undefined });
      assert.equal(plan.kind, "model");
      const done = await respond({
        store: store.conversations,
        client,
        conversationId: c.id,
        parent,
        model: "tiny",
        caller: {},
        signal: new AbortController().signal,
        ...(plan.kind === "model" && { fallback: plan.fallback, meta: plan.meta }),
      });
      const kept = (await store.conversations.messages(c.id)).at(-1)!;
      return { done, kept: { ...kept, meta: JSON.parse(kept.meta) } };
    } finally {
      await dispose();
    }
  };

  it("as longer than its context: says a larger model is needed, with the model's numbers, in a done answer", async () => {
    const { done, kept } = await answer(refusing("context_length_exceeded", "the prompt is 413 tokens; model tiny has a context of 128"));
    assert.equal(done.status, "done");
    assert.deepEqual([kept.status, kept.meta.notice], ["done", { code: "needs_larger_model", contextLength: 128, needed: 413 + 32 }]);
    assert.match(kept.content, /about 445 tokens, and tiny has 128/);
  });

  it("for another reason: fails, keeping the error's code for clients to explain", async () => {
    const { done, kept } = await answer(refusing("rate_limit_exceeded", "slow down"));
    assert.equal(done.status, "failed");
    assert.deepEqual([kept.status, kept.error, kept.meta.errorCode], ["failed", "slow down", "rate_limit_exceeded"]);
  });
});

describe("an answer from sources by a model that follows no other instructions", () => {
  const saying = (text: string): ModelClient => ({
    async *stream(_o: StreamOptions) {
      for (const word of text.split(/(?<= )/)) yield { type: "text" as const, text: word };
    },
  });
  const answer = async (said: string) => {
    const { store, dispose } = await openTestSqlite();
    try {
      const c = await store.conversations.create({ owner: null, title: "", model: "tiny" });
      const question = "How many people live in Brindlewick?";
      const parent = await store.conversations.addMessage({
        conversation_id: c.id,
        parent_id: null,
        role: "user",
        content: question,
        status: "done",
      });
      const plan = fitAnswer({
        chip: { kind: "sourced", hits: [hit(1, "Brindlewick has about 48200 residents.")], meta: { skill: "search" } },
        instructions: undefined,
        question,
        model: "tiny",
        window: bytes(2048),
        followsInstructions: false,
        answersFromSources: true,
      });
      assert.ok(plan.kind === "model" && plan.keepIf);
      const streamed: string[] = [];
      const done = await respond({
        store: store.conversations,
        client: saying(said),
        conversationId: c.id,
        parent,
        model: "tiny",
        caller: {},
        signal: new AbortController().signal,
        system: plan.system,
        meta: plan.meta,
        fallback: plan.fallback,
        keepIf: plan.keepIf,
        onText: (t) => streamed.push(t),
      });
      const kept = (await store.conversations.messages(c.id)).at(-1)!;
      return { done, streamed, kept: { ...kept, meta: JSON.parse(kept.meta) } };
    } finally {
      await dispose();
    }
  };

  it("keeps an answer that cites a passage, given whole once it is", async () => {
    const { done, streamed, kept } = await answer("Brindlewick has about 48200 residents [1].");
    assert.equal(done.status, "done");
    assert.deepEqual(streamed, ["Brindlewick has about 48200 residents [1]."]);
    assert.equal(kept.content, "Brindlewick has about 48200 residents [1].");
    assert.equal(kept.meta.notice, undefined);
    assert.equal(kept.meta.citations.length, 1);
  });

  it("quotes the passages instead of an answer whose value the cited passage does not give", async () => {
    const { kept } = await answer("Brindlewick has about 73000 residents [1].");
    assert.deepEqual(kept.meta.notice, { code: "extracted", skill: "search" });
    assert.match(kept.content, /^> Brindlewick has about 48200 residents\. \[1\]$/);
  });

  it("quotes the passages instead of an answer that cites none", async () => {
    const { done, streamed, kept } = await answer("The sources do not say.");
    assert.equal(done.status, "done");
    assert.deepEqual(kept.meta.notice, { code: "extracted", skill: "search" });
    assert.match(kept.content, /^> Brindlewick has about 48200 residents\. \[1\]$/);
    assert.deepEqual(streamed, [kept.content], "the model's own words never reach the client");
  });
});
