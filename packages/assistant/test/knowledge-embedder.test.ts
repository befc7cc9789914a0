import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
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
