import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, startTopicEmbeddings, type FakeServer, type TopicEmbeddings } from "@benih/fake-upstreams";
import { startServer } from "./harness.ts";
import { until } from "./until.ts";

// Hybrid knowledge search through the whole server: a market whose embedding model is served by a loopback
// embedding server that gives texts of one topic nearby vectors (the test says which texts share a topic), chat by a
// loopback OpenAI server (`cite` answers "From [1]: <the first source's passage>"). Then the market's model changes
// (to the OpenAI fake's text-embedding-3-small) across a restart on the same data.
const komodo = "The Komodo dragon lives on five Indonesian islands and hunts deer with a venomous bite.";
const subak = "Rice terraces in Bali are watered by subak, a cooperative system run from water temples.";
const question = "Where does earth's biggest lizard reside?";
const topics = new Map([
  [komodo, 0],
  [question, 0],
  [subak, 1],
]);

let upstream: FakeServer;
let meaning: TopicEmbeddings;
let server: Awaited<ReturnType<typeof startServer>>;
let key: string;
const dataDir = mkdtempSync(join(tmpdir(), "benih-hybrid-"));

const yaml = (embedding: string) => `
auth: { required: true }
providers:
  - { name: openai, type: openai, baseURL: "${upstream.url}/v1", apiKey: sk-upstream, listModels: false }
  - { name: topics, type: openai, baseURL: "${meaning.url}/v1", apiKey: sk-topics, listModels: false }
routes:
  - { model: cite, targets: [{ provider: openai, model: cite }] }
defaultMarket: global
markets:
  - id: global
    region: global
    displayName: { en: Global }
    brand: { name: { en: Global }, colors: { primary: "#1f6feb" } }
    defaultLocale: en
    locales: [en]
    allow: [openai/*, topics/*]
    defaults: { embedding: ${embedding} }
    policy: { refusal: { en: "Sorry." } }
`;
const start = (embedding: string) => startServer({ yaml: yaml(embedding), env: { BENIH_DATA_DIR: dataDir } });

before(async () => {
  upstream = await startFakeOpenAI({ models: ["cite"] });
  meaning = await startTopicEmbeddings(topics);
  server = await start("topics/meaning");
  key = (await server.store.apiKeys.create("alice")).key;
});
after(async () => {
  await server?.close();
  await upstream?.close();
  await meaning?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = async (method: string, path: string, body?: string) => {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { "content-type": "application/octet-stream" }) },
    ...(body !== undefined && { body }),
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
};
interface Listed {
  id: string;
  source: string;
  embedding?: { model: string; done: number; total: number; error: string | null };
}
const documents = async () => (await call("GET", "/v1/knowledge/documents")).json.data as Listed[];
const listed = async (source: string) => (await documents()).find((d) => d.source === source)!;
const waitFor = (what: string, f: () => Promise<boolean>) => until(what, async () => ((await f()) ? true : undefined));
const search = async (q: string) =>
  ((await call("GET", `/v1/knowledge/search?q=${encodeURIComponent(q)}`)).json.data as Array<{ source: string }>).map((h) => h.source);

describe("hybrid knowledge search", () => {
  it("embeds an upload in the background with progress, and the search skill cites it for a question in other words", async () => {
    const up = await call("POST", "/v1/knowledge/documents?name=komodo.txt", komodo);
    assert.equal(up.status, 201, JSON.stringify(up.json));
    assert.deepEqual(up.json.embedding, { model: "topics/meaning", done: 0, total: 1, error: null });
    await waitFor("komodo.txt is embedded", async () => (await listed("komodo.txt")).embedding?.done === 1);
    assert.deepEqual((await listed("komodo.txt")).embedding, { model: "topics/meaning", done: 1, total: 1, error: null });
    assert.ok(meaning.seen.includes(komodo), "the passage went to the market's embedding model");

    const conv = (await (
      await fetch(`${server.url}/v1/conversations`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "cite" }),
      })
    ).json()) as { id: string };
    const res = await fetch(`${server.url}/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ content: question, skill: "search" }),
    });
    assert.match(await res.text(), /event: done\ndata: \{[^\n]*"status":"done"/);
    // Cited among the sources (benih's shared docs share the question's common words, "where" and "does").
    const answer = (await call("GET", `/v1/conversations/${conv.id}`)).json.messages.at(-1);
    const cited = answer.meta.citations.find((c: { source: string }) => c.source === "komodo.txt");
    assert.equal(cited?.excerpt, komodo, JSON.stringify(answer.meta.citations));
    assert.ok(meaning.seen.includes(question), "the question was embedded with the same model");
  });

  it("keeps a document whose embedding fails searchable by keywords, says so, and embeds it when retried", async () => {
    meaning.failWith(500);
    const up = await call("POST", "/v1/knowledge/documents?name=subak.txt", subak);
    assert.equal(up.status, 201);
    await waitFor("subak.txt's embedding fails", async () => !!(await listed("subak.txt")).embedding?.error);
    const failed = (await listed("subak.txt")).embedding!;
    assert.deepEqual([failed.done, failed.total], [0, 1]);
    assert.match(failed.error!, /500/);
    // Keywords still find it; a question by meaning falls back to keywords while the model fails, and does not fail.
    assert.deepEqual(await search("subak temples"), ["subak.txt"]);
    assert.equal((await call("GET", `/v1/knowledge/search?q=${encodeURIComponent(question)}`)).status, 200);

    meaning.failWith(0);
    assert.equal((await call("POST", `/v1/knowledge/documents/${up.json.id}/embedding`)).status, 202);
    await waitFor("subak.txt is embedded after the retry", async () => (await listed("subak.txt")).embedding?.done === 1);
    assert.equal((await listed("subak.txt")).embedding?.error, null);
    assert.equal((await call("POST", "/v1/knowledge/documents/doc-nope/embedding")).status, 404);
  });

  it("goes on after a restart where the embedding of a long document stopped", async () => {
    // 150 passages (a paragraph of about 600 characters each), sent 64 a call, each call answered late.
    const paragraphs = Array.from(
      { length: 150 },
      (_, i) => `Ledger entry ${i}: ${"the harbour accounts were balanced again ".repeat(14)}`,
    );
    meaning.slowBy(400);
    const up = await call("POST", "/v1/knowledge/documents?name=ledger.txt", paragraphs.join("\n\n"));
    assert.equal(up.json.embedding.total, 150);
    await waitFor("the first batch is stored", async () => (await listed("ledger.txt")).embedding!.done >= 64);
    await server.close();
    meaning.slowBy(0);
    const sentBefore = meaning.seen.length;
    server = await start("topics/meaning");
    const resumed = (await listed("ledger.txt")).embedding!;
    assert.ok(resumed.done >= 64 && resumed.done < 150 && resumed.error === null, JSON.stringify(resumed));
    await waitFor("ledger.txt is embedded whole", async () => (await listed("ledger.txt")).embedding!.done === 150);
    assert.equal((await listed("ledger.txt")).embedding!.error, null);
    // What was stored before the restart is not sent again; the rest is, each passage at least once. (A batch the
    // old server had in flight when it stopped was never stored, so it is rightly sent again; it may reach the
    // upstream just after `sentBefore` was read, so passages are checked by number, not counted.)
    const entry = (t: string) => Number(/^Ledger entry (\d+):/.exec(t)?.[1] ?? -1);
    const resent = new Set(
      meaning.seen
        .slice(sentBefore)
        .map(entry)
        .filter((n) => n >= 0),
    );
    const stored = Array.from({ length: 150 }, (_, n) => n).filter((n) => n < resumed.done);
    assert.deepEqual(
      stored.filter((n) => resent.has(n)),
      [],
      "nothing stored before the restart was sent again",
    );
    for (let n = resumed.done; n < 150; n++) assert.ok(resent.has(n), `passage ${n} was sent after the restart`);
  });

  it("re-embeds everything with progress when the market's model changes, searching by keywords meanwhile", async () => {
    await server.close();
    upstream.seen.length = 0;
    server = await start("openai/text-embedding-3-small");
    // At once, before the new model's vectors exist: keywords answer.
    assert.deepEqual(await search("komodo deer"), ["komodo.txt"]);
    await waitFor("both documents are re-embedded", async () => (await documents()).every((d) => d.embedding?.done === d.embedding?.total));
    const docs = (await documents()).filter((d) => d.source.endsWith(".txt"));
    assert.deepEqual(docs.map((d) => [d.source, d.embedding]).sort(), [
      ["komodo.txt", { model: "openai/text-embedding-3-small", done: 1, total: 1, error: null }],
      ["ledger.txt", { model: "openai/text-embedding-3-small", done: 150, total: 150, error: null }],
      ["subak.txt", { model: "openai/text-embedding-3-small", done: 1, total: 1, error: null }],
    ]);
    const embedded = upstream.seen.filter((r) => r.path === "/v1/embeddings").flatMap((r) => r.body.input as string[]);
    assert.ok(embedded.includes(komodo) && embedded.includes(subak), "the new model embedded the passages");
    // The fake's vectors mean nothing (a hash of the text): its nearest passages follow the keyword hit.
    assert.equal((await search("komodo deer"))[0], "komodo.txt");
  });
});
