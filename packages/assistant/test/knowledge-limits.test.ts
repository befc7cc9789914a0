import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GatewayError } from "@benih/gateway";
import { openTestSqlite, type TestStore } from "@benih/store/testing";
import Fastify, { type FastifyInstance } from "fastify";
import type { ModelClient } from "../src/model-client.ts";
import { registerKnowledgeRoutes } from "../src/knowledge/routes.ts";

// The knowledge routes under small limits, so each refusal is cheap to reach: the text, the passages and the
// owner's quota. (The server's tests send the hostile files themselves, against the defaults.)
let store: TestStore;
let app: FastifyInstance;

before(async () => {
  store = await openTestSqlite();
  app = Fastify();
  app.setErrorHandler((err, _request, reply) =>
    err instanceof GatewayError ? reply.code(err.status).send(err.toBody()) : reply.send(err),
  );
  registerKnowledgeRoutes(app, {
    storeFor: () => store.store.knowledge,
    maxUploadBytes: 1024 * 1024,
    client: {} as ModelClient,
    defaultModel: async () => "m",
    documentLimits: { maxTextChars: 5000, maxPassages: 3, maxOwnerBytes: 3000 },
  });
  await app.ready();
});
after(async () => {
  await app?.close();
  await store?.dispose();
});

const post = async (path: string, body: string) => {
  const res = await app.inject({ method: "POST", url: path, headers: { "content-type": "text/plain" }, payload: body });
  return { status: res.statusCode, json: res.json() };
};
const paragraph = (n: number) => `${"Komodo dragons live on five islands. ".repeat(24)}${n}`;

describe("knowledge uploads over a limit", () => {
  it("refuses too much text, and too many passages, naming the limit", async () => {
    const text = await post("/v1/knowledge/documents?name=long.txt", "word ".repeat(1001));
    assert.equal(text.status, 413);
    assert.deepEqual(text.json, {
      error: {
        message: "long.txt holds more than 5,000 characters of text, the limit (maxTextChars)",
        type: "invalid_request_error",
        param: "maxTextChars",
        code: "document_too_large",
      },
    });
    const passages = await post("/v1/knowledge/documents?name=many.txt", [1, 2, 3, 4].map(paragraph).join("\n\n"));
    assert.equal(passages.status, 413);
    assert.equal(passages.json.error.message, "many.txt makes 4 passages, over the limit of 3 (maxPassages)");
    const translate = await post("/v1/translate/documents?name=long.txt&target=English", "word ".repeat(1001));
    assert.deepEqual(
      [translate.status, translate.json.error.code],
      [413, "document_too_large"],
      "translation reads within the same limits",
    );
    assert.deepEqual(await store.store.knowledge.list(null), []);
  });

  it("refuses a document that would take the owner over their quota, and stores nothing of it", async () => {
    const first = await post("/v1/knowledge/documents?name=one.txt", paragraph(1));
    assert.equal(first.status, 201, JSON.stringify(first.json));
    const used = await store.store.knowledge.ownerBytes(null);
    assert.equal(used, 2 * Buffer.byteLength(paragraph(1)), "the file and its stored text");
    const second = await post("/v1/knowledge/documents?name=two.txt", paragraph(2));
    assert.equal(second.status, 413);
    assert.equal(second.json.error.code, "knowledge_quota_exceeded");
    assert.match(
      second.json.error.message,
      /^two\.txt would bring your documents to 3\.5 KB, over the limit of 2\.9 KB per key \(maxOwnerBytes\); delete some documents first$/,
    );
    assert.deepEqual(
      (await store.store.knowledge.list(null)).map((d) => d.source),
      ["one.txt"],
    );
    assert.equal(await store.store.knowledge.ownerBytes(null), used);
  });
});
