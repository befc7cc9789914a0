import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import {
  access,
  createGatewayApp,
  defaultRetryPolicy,
  GatewayMetrics,
  ModelCatalog,
  PriceTable,
  Router,
  Authenticator,
} from "@benih/gateway";
import { createOpenAICompatible } from "@benih/providers";
import { openTestSqlite } from "@benih/store/testing";
import { Client } from "undici";
import { chat, hello, startGateway, type GatewayHarness } from "./harness.ts";

// What one request may cost, refused before the work: a JSON body's values, depth and text (large bodies are
// parsed on a thread), a chat request's characters, messages and schemas, and how many requests a key has open.
let up: FakeServer;
let gw: GatewayHarness;
let key: string;

before(async () => {
  up = await startFakeOpenAI();
  gw = await startGateway({
    providers: [createOpenAICompatible({ name: "fake", baseURL: `${up.url}/v1`, apiKey: "k" })],
    routes: [
      { model: "m", targets: [{ provider: "fake", model: "ok" }] },
      { model: "slow", targets: [{ provider: "fake", model: "slow-400" }] },
    ],
    authRequired: true,
    promptBudget: { promptChars: 1000, messages: 50, schemaBytes: 2048, tools: 4 },
    concurrentPerKey: 2,
  });
  key = (await gw.store.apiKeys.create("budget")).key;
});
after(async () => {
  await gw.close();
  await up.close();
});

const auth = () => ({ authorization: `Bearer ${key}` });
const post = (body: string) =>
  fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { ...auth(), "content-type": "application/json" }, body });
async function refused(res: Response, status: number, code: string) {
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  return body.error.message;
}

describe("budgets checked before the work", () => {
  it("refuses a chat request over its characters, messages, tools or schema size, naming the limit", async () => {
    assert.match(
      await refused(
        await chat(
          gw.url,
          {
            model: "m",
            messages: [
              { role: "system", content: "x".repeat(600) },
              { role: "user", content: "y".repeat(600) },
            ],
          },
          auth(),
        ),
        413,
        "prompt_too_large",
      ),
      /1,200 characters.*limit is 1,000/,
    );
    assert.match(
      await refused(
        await chat(gw.url, { model: "m", messages: Array.from({ length: 51 }, () => hello[0]) }, auth()),
        413,
        "too_many_messages",
      ),
      /51 messages; the limit is 50/,
    );
    const schema = {
      type: "object",
      properties: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, { type: "string" }])),
    };
    assert.match(
      await refused(
        await chat(
          gw.url,
          { model: "m", messages: hello, response_format: { type: "json_schema", json_schema: { name: "big", schema } } },
          auth(),
        ),
        413,
        "schema_too_large",
      ),
      /response_format\.json_schema\.schema is [\d,]+ bytes/,
    );
    const tool = (name: string) => ({ type: "function", function: { name, parameters: { type: "object" } } });
    await refused(
      await chat(gw.url, { model: "m", messages: hello, tools: ["a", "b", "c", "d", "e"].map(tool) }, auth()),
      413,
      "too_many_tools",
    );
    assert.deepEqual(
      up.seen.filter((s) => s.path.includes("chat")),
      [],
      "nothing reached the model",
    );
    assert.equal((await chat(gw.url, { model: "m", messages: hello }, auth())).status, 200);
  });

  it("parses large bodies off the event loop, held to their values, depth and text, and refuses poisoned ones", async () => {
    const pad = "p".repeat(300 * 1024);
    await refused(
      await post(JSON.stringify({ model: "m", messages: hello, x: Array.from({ length: 250_000 }, () => 0) })),
      413,
      "too_many_values",
    );
    await refused(
      await post(`{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${"[".repeat(50_000)}${"]".repeat(50_000)},"pad":"${pad}"}`),
      413,
      "nested_too_deep",
    );
    await refused(
      await post(JSON.stringify({ model: "m", messages: [{ role: "user", content: "w ".repeat(2_100_000) }] })),
      413,
      "too_much_text",
    );
    await refused(
      await post(`{"model":"m","messages":[{"role":"user","content":"hi"}],"pad":"${pad}","__proto__":{"admin":true}}`),
      400,
      "invalid_json",
    );
    await refused(await post(`{"model":"m","messages":[{"role":"user","content":"hi"}],"pad":"${pad}"`), 400, "invalid_json");
    // A large body within the budget is served as any other: an inline image travels as a data URL.
    const image = `data:image/png;base64,${"A".repeat(400 * 1024)}`;
    const ok = await post(
      JSON.stringify({
        model: "m",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "what is this?" },
              { type: "image_url", image_url: { url: image } },
            ],
          },
        ],
      }),
    );
    assert.equal(ok.status, 200, await ok.clone().text());
    // Small bodies are held to the same depth, on the event loop.
    await refused(
      await post(`{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${"[".repeat(100)}${"]".repeat(100)}}`),
      413,
      "nested_too_deep",
    );
  });

  it("lets one key have only so many requests in progress: the next gets 429 with retry-after, then it may go on", async () => {
    const slow = () => chat(gw.url, { model: "slow", messages: hello }, auth());
    const first = [slow(), slow()];
    await new Promise((r) => setTimeout(r, 100));
    const third = await slow();
    assert.equal(third.headers.get("retry-after"), "1");
    assert.match(await refused(third, 429, "too_many_concurrent_requests"), /2 requests in progress; the limit is 2/);
    const other = (await gw.store.apiKeys.create("other")).key;
    assert.equal(
      (await chat(gw.url, { model: "m", messages: hello }, { authorization: `Bearer ${other}` })).status,
      200,
      "another key is not held up",
    );
    for (const r of await Promise.all(first)) assert.equal(r.status, 200);
    assert.equal((await slow()).status, 200);
  });

  it("refuses a path not in normal form before routing", async () => {
    // Sent as written: fetch would resolve the dot segments before sending.
    const client = new Client(gw.url);
    for (const path of [
      "/%761/models",
      "/v%31/models",
      "//v1/models",
      "/v1/./models",
      "/v1/x/../models",
      "/v1/%2E/models",
      "/v1%5cmodels",
    ]) {
      const res = await client.request({ method: "GET", path, headers: auth() });
      assert.equal(res.statusCode, 400, path);
      assert.equal(((await res.body.json()) as { error: { code: string } }).error.code, "non_normal_path");
    }
    await client.close();
    assert.equal((await fetch(`${gw.url}/v1/models/fake%2Fok`, { headers: auth() })).status, 200, "an SDK's %2F inside a model id is fine");
  });

  it("does not start with a route that declares no access", async () => {
    const { store, dispose } = await openTestSqlite();
    const router = new Router(new Map(), []);
    const auth = new Authenticator(store.apiKeys, true, 0);
    const app = createGatewayApp({
      router,
      catalog: new ModelCatalog(router, new Map()),
      prices: new PriceTable({}),
      policy: defaultRetryPolicy,
      auth,
      metrics: new GatewayMetrics(false),
      extend: (a) => {
        a.get("/v1/declared", access("person"), async () => ({}));
        a.get("/v1/forgotten", async () => ({ secret: true }));
      },
    });
    await assert.rejects(async () => void (await app.ready()), /routes that declare no access.*GET \/v1\/forgotten/);
    await app.close().catch(() => {});
    await auth.close();
    await dispose();
  });
});
