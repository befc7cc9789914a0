import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KbHit, KnowledgeStore } from "@benih/store";
import { testBackends } from "@benih/store/testing";
import { embedAt as embed, startTopicEmbeddings, type TopicEmbeddings } from "@benih/fake-upstreams";

// The words of a text as the assistant's `terms` gives them for English: lower case, split at non-letters.
const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
const MODEL = "topics-64";

// Each fact: its passage, a question asked in other words (no word in common with the passage, not even "the"), and a
// question by a keyword the embedding model does not understand (an identifier): its vector says nothing.
const facts = [
  {
    passage: "The Komodo dragon lives on five Indonesian islands and hunts deer with a venomous bite.",
    paraphrase: "where does earth's biggest lizard reside?",
    keyword: "komodo deer",
  },
  {
    passage: "Rice terraces in Bali are watered by subak, a cooperative system run from water temples.",
    paraphrase: "how do farmers irrigate paddies on that isle?",
    keyword: "subak temples",
  },
  {
    passage: "Invoice INV-4471 was paid on 3 March by bank transfer from the Jakarta office.",
    paraphrase: "when did we settle our bill?",
    keyword: "inv 4471",
  },
  {
    passage: "The espresso machine needs descaling every two months; use citric acid, never vinegar.",
    paraphrase: "how often should I clean limescale off my coffee maker?",
    keyword: "descaling citric",
  },
  {
    passage: "Staff may work remotely three days per week once their probation period has ended.",
    paraphrase: "can employees stay home sometimes after they're hired?",
    keyword: "remotely probation",
  },
  {
    passage: "Batik is a wax-resist dyeing technique recognised by UNESCO as Indonesian heritage in 2009.",
    paraphrase: "which cloth painting craft got world cultural listing?",
    keyword: "batik unesco",
  },
];
// Filler passages of no topic, sharing common words with the questions ("how", "the", "on"), to rank against.
const filler = Array.from(
  { length: 60 },
  (_, i) => `Memo ${i}: how the team on floor ${i % 7} files reports where it stores them, and when it takes leave.`,
);

const topics = new Map<string, number>();
facts.forEach((f, i) => {
  topics.set(f.passage, i);
  topics.set(f.paraphrase, i);
});

for (const backend of await testBackends()) {
  describe(`hybrid knowledge search on ${backend.name}`, { skip: backend.skip }, () => {
    let upstream: TopicEmbeddings;
    let kb: KnowledgeStore;
    let dispose: () => Promise<void>;
    const ids = new Map<string, string>();

    before(async () => {
      upstream = await startTopicEmbeddings(topics);
      const opened = await backend.open();
      kb = opened.store.knowledge;
      dispose = opened.dispose;
      for (const [owner, texts] of [
        ["alice", [...facts.map((f) => f.passage), ...filler]],
        // Bob holds a passage of the Komodo topic too: alice's search never sees it.
        ["bob", ["Bob's notes: monitor lizards of Flores."]],
      ] as const) {
        for (const text of texts) {
          const doc = await kb.add({ owner, title: text.slice(0, 20), source: `${ids.size}.txt`, mime: "text/plain", bytes: text.length }, [
            { page: null, text, terms: words(text).join(" ") },
          ]);
          ids.set(text, doc.id);
        }
      }
      topics.set("Bob's notes: monitor lizards of Flores.", 0);
      // Embedded as a worker does: progress and vectors stored together.
      for (const next of await kb.toEmbed(MODEL, 1000)) {
        const passages = await kb.passagesFrom(next.id, next.done, 64);
        const vectors = await embed(
          upstream.url,
          MODEL,
          passages.map((p) => p.text),
        );
        await kb.addVectors(MODEL, [
          {
            documentId: next.id,
            from: next.done,
            vectors: passages.map((p, i) => ({ chunkId: p.id, ownerTag: p.ownerTag, vector: vectors[i]! })),
          },
        ]);
      }
      assert.deepEqual(await kb.toEmbed(MODEL, 10), [], "all embedded");
    });
    after(async () => {
      await dispose?.();
      await upstream?.close();
    });

    const queryVector = async (q: string) => ({ model: MODEL, values: (await embed(upstream.url, MODEL, [q]))[0]! });
    const bm25 = (q: string) => kb.search("alice", words(q), 5);
    const byMeaning = async (q: string) => kb.search("alice", [], 5, undefined, { vector: await queryVector(q) });
    const hybrid = async (q: string) => kb.search("alice", words(q), 5, undefined, { vector: await queryVector(q) });
    const found = (hits: KbHit[], passage: string) => hits.some((h) => h.documentId === ids.get(passage));

    it("finds a passage asked about in other words, which keywords alone miss; keyword questions still find theirs", async () => {
      for (const f of facts) {
        assert.equal(found(await bm25(f.paraphrase), f.passage), false, `BM25 alone should miss: ${f.paraphrase}`);
        const hits = await hybrid(f.paraphrase);
        assert.ok(found(hits, f.passage), `hybrid finds the passage for: ${f.paraphrase}`);
        assert.ok(hits.every((h) => h.fused));
        assert.equal((await hybrid(f.keyword))[0]?.documentId, ids.get(f.passage), `hybrid keeps keyword hits: ${f.keyword}`);
      }
    });

    it("has a recall@5 at least that of the better of BM25 and vectors alone", async () => {
      const questions = facts.flatMap((f) => [
        { q: f.paraphrase, passage: f.passage },
        { q: f.keyword, passage: f.passage },
      ]);
      const recall = async (search: (q: string) => Promise<KbHit[]>) => {
        let hit = 0;
        for (const { q, passage } of questions) hit += found(await search(q), passage) ? 1 : 0;
        return hit / questions.length;
      };
      const [k, v, h] = [await recall(bm25), await recall(byMeaning), await recall(hybrid)];
      assert.ok(h >= Math.max(k, v), `hybrid ${h} vs BM25 ${k} and vectors ${v}`);
      assert.equal(h, 1);
      assert.ok(k < 1 && v < 1, `each alone misses some (BM25 ${k}, vectors ${v})`);
    });

    it("searches only the person's own and shared passages by meaning", async () => {
      const hits = await byMeaning("where does earth's biggest lizard reside?");
      assert.ok(hits.length > 0);
      assert.ok(hits.every((h) => h.source !== "Bob's notes: monitor lizards of Flores."));
      const bobs = await kb.search("bob", [], 5, undefined, { vector: await queryVector("where does earth's biggest lizard reside?") });
      assert.deepEqual(
        bobs.map((h) => h.documentId),
        [ids.get("Bob's notes: monitor lizards of Flores.")],
      );
    });

    it("uses vectors only of the query's model: passages without one are found by keywords alone", async () => {
      const other = { model: "another-model", values: (await queryVector(facts[0]!.paraphrase)).values };
      assert.deepEqual(
        await kb.search("alice", words(facts[0]!.paraphrase), 5, undefined, { vector: other }).then((h) => found(h, facts[0]!.passage)),
        false,
      );
      assert.equal((await kb.search("alice", words("komodo"), 5, undefined, { vector: other }))[0]?.documentId, ids.get(facts[0]!.passage));
      const progress = await kb.embeddingProgress([ids.get(facts[0]!.passage)!], "another-model");
      assert.deepEqual(progress.get(ids.get(facts[0]!.passage)!), { done: 0, total: 1, error: null });
    });

    it("forgets a deleted document's vectors, and refuses to store progress another worker made first", async () => {
      const doc = ids.get(facts[3]!.passage)!;
      const [p] = await kb.passagesFrom(doc, 0, 1);
      await assert.rejects(
        kb.addVectors(MODEL, [
          { documentId: doc, from: 0, vectors: [{ chunkId: p!.id, ownerTag: p!.ownerTag, vector: (await queryVector("x")).values }] },
        ]),
        /another worker/,
      );
      assert.deepEqual((await kb.embeddingProgress([doc], MODEL)).get(doc), { done: 1, total: 1, error: null });
      assert.equal(await kb.delete(doc, "alice"), true);
      assert.equal(found(await byMeaning(facts[3]!.paraphrase), facts[3]!.passage), false);
    });
  });
}
