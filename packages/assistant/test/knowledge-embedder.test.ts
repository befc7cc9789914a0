import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { SHARED } from "@benih/store";
import { openTestSqlite, type TestStore } from "@benih/store/testing";
import { GatewayClient, KnowledgeEmbedder } from "../src/index.ts";

// The background embedder against a loopback server speaking benih's /v1/embeddings as the gateway answers it: a
// model that takes at most 100 characters an input (400 context_length_exceeded above), and a market policy that
// refuses any input with "casino" (400 content_policy_violation).
const MAX_CHARS = 100;
let server: Server;
let url: string;
const sent: string[][] = [];
let t: TestStore;

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const { input } = JSON.parse(body) as { input: string[] };
      sent.push(input);
      const refuse = (code: string, message: string) => {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message, type: "invalid_request_error", code } }));
      };
      if (input.some((x) => x.includes("casino"))) return refuse("content_policy_violation", "This input is not allowed here (gambling).");
      const long = input.findIndex((x) => x.length > MAX_CHARS);
      if (long >= 0) return refuse("context_length_exceeded", `input[${long}] is too long`);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          data: input.map((x, index) => ({
            index,
            embedding: Buffer.from(Float32Array.from({ length: 8 }, (_, i) => (i === x.length % 8 ? 1 : 0)).buffer).toString("base64"),
          })),
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await openTestSqlite();
});
after(async () => {
  await t?.dispose();
  await new Promise((r) => server.close(r));
});

const add = (title: string, texts: string[]) =>
  t.store.knowledge.add(
    { owner: "alice", title, source: `${title}.txt`, mime: "text/plain", bytes: 1 },
    texts.map((text) => ({ page: null, text, terms: text.toLowerCase() })),
  );

describe("the knowledge embedder", () => {
  it("cuts passages a model refuses as too long until it takes them, and fails alone a document the policy refuses", async () => {
    const long = await add("long", ["a".repeat(300), "b".repeat(250)]);
    const refused = await add("refused", ["the online casino opens at noon"]);
    const fine = await add("fine", ["short and fine"]);
    const logged: string[] = [];
    const embedder = new KnowledgeEmbedder({ client: new GatewayClient(() => url), batch: 64, log: (m) => logged.push(m) });
    await embedder.kick(t.store.knowledge, "m", {});

    const progress = await t.store.knowledge.embeddingProgress([long.id, refused.id, fine.id], "m");
    assert.deepEqual(progress.get(long.id), { done: 2, total: 2, error: null });
    assert.deepEqual(progress.get(fine.id), { done: 1, total: 1, error: null });
    assert.match(progress.get(refused.id)!.error!, /^400 content_policy_violation: /);
    assert.equal(progress.get(refused.id)!.done, 0);
    assert.ok(
      sent.some((batch) => batch.every((x) => x.length <= MAX_CHARS) && batch.includes("a".repeat(75))),
      "cut to 300 / 4",
    );
    assert.equal(logged.length, 1);

    // Retried (as POST …/embedding does) it fails again, saying why; nothing is stored for it meanwhile.
    assert.equal(await t.store.knowledge.retryEmbedding(refused.id, "alice", "m"), true);
    assert.equal(await t.store.knowledge.retryEmbedding(refused.id, "bob", "m"), false, "not bob's");
    await embedder.kick(t.store.knowledge, "m", {});
    assert.match((await t.store.knowledge.embeddingProgress([refused.id], "m")).get(refused.id)!.error!, /content_policy_violation/);
  });

  it("leaves documents as they were, not failed, when the gateway cannot be reached, and stops for good when stopped", async () => {
    const doc = await add("later", ["to be embedded later"]);
    await new KnowledgeEmbedder({ client: new GatewayClient(() => "http://127.0.0.1:9") }).kick(t.store.knowledge, "m", {});
    assert.deepEqual((await t.store.knowledge.embeddingProgress([doc.id], "m")).get(doc.id), { done: 0, total: 1, error: null });
    const stopped = new KnowledgeEmbedder({ client: new GatewayClient(() => url) });
    await stopped.stop();
    await stopped.kick(t.store.knowledge, "m", {});
    assert.equal((await t.store.knowledge.embeddingProgress([doc.id], "m")).get(doc.id)!.done, 0);
    await new KnowledgeEmbedder({ client: new GatewayClient(() => url) }).kick(t.store.knowledge, "m", {});
    assert.equal((await t.store.knowledge.embeddingProgress([doc.id], "m")).get(doc.id)!.done, 1);
  });
});

// Whom each call is for, and refusals that are not the documents': a second loopback gateway, over a store of its
// own, that notes each call's x-benih-on-behalf-of and answers as the test sets: bob's quota spent (429
// insufficient_quota for calls for him), or the model unknown to the market (404 model_not_found, for everyone).
describe("the knowledge embedder, for the documents' owners", () => {
  let gateway: Server;
  let gatewayUrl: string;
  let s: TestStore;
  const calls: Array<{ for: string | undefined; input: string[] }> = [];
  const state = { bobOverQuota: true, modelUnknown: false };
  before(async () => {
    gateway = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const { input } = JSON.parse(body) as { input: string[] };
        const who = req.headers["x-benih-on-behalf-of"] as string | undefined;
        calls.push({ for: who, input });
        const refuse = (status: number, code: string, message: string) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { message, type: "invalid_request_error", code } }));
        };
        if (state.modelUnknown) return refuse(404, "model_not_found", "The model `m` does not exist or you do not have access to it.");
        if (who === "bob" && state.bobOverQuota)
          return refuse(429, "insufficient_quota", "You have used 100 of the 100 tokens this key may use today (UTC).");
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            data: input.map((_, index) => ({ index, embedding: Array.from({ length: 8 }, (_, i) => (i === index % 8 ? 1 : 0)) })),
          }),
        );
      });
    });
    await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", r));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    s = await openTestSqlite();
  });
  after(async () => {
    await s?.dispose();
    await new Promise((r) => gateway.close(r));
  });
  const addFor = (owner: string | null, title: string, texts: string[]) =>
    s.store.knowledge.add(
      { owner, title, source: `${title}.txt`, mime: "text/plain", bytes: 1 },
      texts.map((text) => ({ page: null, text, terms: text.toLowerCase() })),
    );
  const progress = async (id: string) => (await s.store.knowledge.embeddingProgress([id], "m")).get(id)!;

  it("sends each owner's passages for them, the shared ones as the server, and stops only bob's when his quota is spent", async () => {
    const shared = await addFor(SHARED, "starter", ["shared one", "shared two"]);
    const alice1 = await addFor("alice", "alice-1", ["alice one", "alice two"]);
    const bob = await addFor("bob", "bob", ["bob one"]);
    const alice2 = await addFor("alice", "alice-2", ["alice three"]);
    const logged: string[] = [];
    const embedder = new KnowledgeEmbedder({ client: new GatewayClient(() => gatewayUrl), log: (m) => logged.push(m) });
    await embedder.kick(s.store.knowledge, "m", { market: "global" });

    const owner = (text: string) => (text.startsWith("shared") ? undefined : text.split(" ")[0]);
    for (const c of calls) for (const text of c.input) assert.equal(c.for, owner(text), `${text} sent for ${c.for}: one owner a call`);
    assert.ok(
      calls.some((c) => c.for === undefined && c.input.includes("shared one")),
      "the shared ones as the server",
    );
    assert.deepEqual(await progress(shared.id), { done: 2, total: 2, error: null });
    assert.deepEqual(await progress(alice1.id), { done: 2, total: 2, error: null });
    assert.deepEqual(await progress(alice2.id), { done: 1, total: 1, error: null }, "after bob's refusal, alice's go on");
    const bobs = await progress(bob.id);
    assert.equal(bobs.done, 0);
    assert.match(bobs.error!, /^429 insufficient_quota: You have used 100/);

    // His quota renewed, the next run takes his document again by itself: the refusal was not the document's.
    state.bobOverQuota = false;
    await embedder.kick(s.store.knowledge, "m", { market: "global" });
    assert.deepEqual(await progress(bob.id), { done: 1, total: 1, error: null });
    assert.equal(calls.at(-1)!.for, "bob");
  });

  it("stops the run at the first refusal of the model itself, says why on the document sent, logs once, and tries again next run", async () => {
    const texts = ["carol one", "dave one", "carol two"];
    const docs = [
      await addFor("carol", "c1", [texts[0]!]),
      await addFor("dave", "d1", [texts[1]!]),
      await addFor("carol", "c2", [texts[2]!]),
    ];
    state.modelUnknown = true;
    const logged: string[] = [];
    const embedder = new KnowledgeEmbedder({ client: new GatewayClient(() => gatewayUrl), batch: 1, log: (m) => logged.push(m) });
    const before = calls.length;
    await embedder.kick(s.store.knowledge, "m", {});
    assert.equal(calls.length - before, 1, "one call: every other would be refused alike");
    // The oldest goes first; documents added within the same millisecond go in any order.
    const sent = texts.indexOf(calls.at(-1)!.input[0]!);
    assert.notEqual(sent, -1);
    assert.match((await progress(docs[sent]!.id)).error!, /^404 model_not_found: /);
    for (const d of docs.filter((_, i) => i !== sent))
      assert.deepEqual(await progress(d.id), { done: 0, total: 1, error: null }, "not marked failed");
    // The next run (the duty's, a minute on) tries again: the same document, one call, and no second log line.
    await embedder.kick(s.store.knowledge, "m", {});
    assert.equal(calls.length - before, 2);
    assert.equal(calls.at(-1)!.input[0], texts[sent]);
    assert.equal(logged.filter((m) => /model_not_found/.test(m)).length, 1, logged.join("\n"));

    // The configuration fixed, the next run embeds them all, the first one too.
    state.modelUnknown = false;
    await embedder.kick(s.store.knowledge, "m", {});
    for (const d of docs) assert.deepEqual(await progress(d.id), { done: 1, total: 1, error: null });
  });
});
