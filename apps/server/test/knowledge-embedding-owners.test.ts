import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { routeTable } from "@benih/gateway";
import type { Store } from "@benih/store";
import { startServer } from "./harness.ts";
import { until } from "./until.ts";

// Background embedding charged to whom the documents belong, through the whole server: a market whose embedding
// model is a loopback OpenAI fake, quotas on, and two people who upload a document each. Alice's is embedded for
// her (her usage shows it, the request log names her); bob's own quota (one token a day) cannot take it, so his
// document says so while alice's goes on. An outside caller cannot use x-benih-on-behalf-of.
const yaml = (upstream: string) => `
auth: { required: true }
providers:
  - { name: openai, type: openai, baseURL: "${upstream}/v1", apiKey: sk-upstream, listModels: false }
quota: { tokensPerDay: 1000000 }
defaultMarket: global
markets:
  - id: global
    region: global
    displayName: { en: Global }
    brand: { name: { en: Global }, colors: { primary: "#1f6feb" } }
    defaultLocale: en
    locales: [en]
    allow: [openai/*]
    defaults: { embedding: openai/text-embedding-3-small }
    policy: { refusal: { en: "Sorry." } }
`;

let upstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let market: Store;
const people: Record<string, { id: string; key: string }> = {};

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ yaml: yaml(upstream.url) });
  market = server.markets!.stores.get("global")!;
  for (const name of ["alice", "bob"]) {
    const u = await market.accounts.create({ email: `${name}@example.com`, name, passwordHash: null, role: "member", market: "global" });
    people[name] = { id: u.id, key: (await market.apiKeys.createFor(u.id, "global", "k")).key };
  }
  await market.accounts.update(people.bob!.id, { quota: JSON.stringify({ tokensPerDay: 1 }) });
});
after(async () => {
  await server?.close();
  await upstream?.close();
});

const call = async (who: string, method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      authorization: `Bearer ${people[who]!.key}`,
      ...(body !== undefined && { "content-type": "application/octet-stream" }),
      ...headers,
    },
    ...(body !== undefined && { body }),
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
};
const embeddingOf = async (who: string, id: string) =>
  (
    (await call(who, "GET", "/v1/knowledge/documents")).json.data as Array<{
      id: string;
      embedding: { done: number; error: string | null };
    }>
  ).find((d) => d.id === id)!.embedding;
const embeddingsLogged = async (person: string) => {
  await server.markets!.flush();
  const rows = await market.requestLog.usage({ since: 0, until: Date.now() + 86_400_000, person, rows: 100 });
  return rows.filter((r) => r.model === "openai/text-embedding-3-small");
};

describe("background embedding, charged to the documents' owners", () => {
  it("embeds alice's upload for alice (her usage and request log), and stops bob's at his quota, saying why", async () => {
    const bobs = await call("bob", "POST", "/v1/knowledge/documents?name=bob.txt", "Bob keeps bees on the roof of the library.");
    const alices = await call("alice", "POST", "/v1/knowledge/documents?name=alice.txt", "Alice grows tomatoes along the river bank.");
    assert.equal(alices.status, 201, JSON.stringify(alices.json));
    assert.equal(bobs.status, 201, JSON.stringify(bobs.json));
    await until("alice's document is embedded", async () => ((await embeddingOf("alice", alices.json.id)).done === 1 ? true : undefined));
    await until("bob's says why it waits", async () => (await embeddingOf("bob", bobs.json.id)).error ?? undefined);
    const bob = await embeddingOf("bob", bobs.json.id);
    assert.equal(bob.done, 0);
    assert.match(bob.error!, /^429 insufficient_quota: /);

    const logged = await embeddingsLogged(people.alice!.id);
    assert.ok(logged.length >= 1 && logged.every((r) => r.promptTokens > 0), JSON.stringify(logged));
    // Her own usage (what /v1/me/usage shows her) counts the tokens.
    const usage = await call("alice", "GET", "/v1/me/usage?days=1");
    assert.equal(usage.status, 200, JSON.stringify(usage.json));
    const row = (usage.json.data as Array<{ model: string; promptTokens: number }>).find(
      (r) => r.model === "openai/text-embedding-3-small",
    );
    assert.ok(row && row.promptTokens > 0, JSON.stringify(usage.json));
    // Bob's refused call is his in the log too (status 429), not the server's.
    await server.markets!.flush();
    assert.ok((await embeddingsLogged(people.bob!.id)).length >= 1, "bob's refused call is logged as his");
  });

  it("refuses x-benih-on-behalf-of from an outside caller, with or without a key", async () => {
    const asBob = await call("alice", "POST", "/v1/embeddings", undefined, {
      "content-type": "application/json",
      "x-benih-on-behalf-of": people.bob!.id,
    });
    assert.equal(asBob.status, 403);
    assert.equal(asBob.json.error.code, "on_behalf_of_refused");
    const res = await fetch(`${server.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-benih-on-behalf-of": people.bob!.id, "x-benih-internal": "guessed" },
      body: JSON.stringify({ model: "openai/text-embedding-3-small", input: ["x"] }),
    });
    assert.equal(res.status, 403);
  });

  it("lets the internal token alone open only POST /v1/embeddings of all the server's routes", () => {
    const serverWork = routeTable(server.app).filter((r) => r.serverWork);
    assert.deepEqual(
      serverWork.map((r) => `${r.method} ${r.url}`),
      ["POST /v1/embeddings"],
    );
  });
});
