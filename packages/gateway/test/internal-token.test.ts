import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { createOpenAICompatible } from "@benih/providers";
import { hello, startGateway, type GatewayHarness } from "./harness.ts";

// The server's internal token (x-benih-internal) as an outside caller meets it on a gateway that requires sign-in:
// alone, without a key, it opens only the routes flagged serverWork (/v1/embeddings); a wrong one opens nothing; and
// x-benih-on-behalf-of, which charges the server's work to a person, is refused from anyone but the server itself.
const internalToken = "internal-secret-of-this-test";

let up: FakeServer;
let gw: GatewayHarness;
let key: string;

before(async () => {
  up = await startFakeOpenAI();
  gw = await startGateway({
    providers: [createOpenAICompatible({ name: "fake", baseURL: `${up.url}/v1`, apiKey: "k" })],
    routes: [
      { model: "m", targets: [{ provider: "fake", model: "ok" }] },
      { model: "embed", targets: [{ provider: "fake", model: "text-embedding-3-small" }] },
    ],
    authRequired: true,
    internalToken,
  });
  key = (await gw.store.apiKeys.create("alice")).key;
});
after(async () => {
  await gw?.close();
  await up?.close();
});

const post = async (path: string, body: object, headers: Record<string, string>) => {
  const res = await fetch(gw.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
};
const embed = (headers: Record<string, string>) => post("/v1/embeddings", { model: "embed", input: ["hello"] }, headers);

describe("the internal token", () => {
  it("alone opens /v1/embeddings (serverWork), and nothing else", async () => {
    const own = await embed({ "x-benih-internal": internalToken });
    assert.equal(own.status, 200, JSON.stringify(own.json));
    assert.equal(own.json.data.length, 1);
    const chat = await post("/v1/chat/completions", { model: "m", messages: hello }, { "x-benih-internal": internalToken });
    assert.equal(chat.status, 401, "chat is not the server's own work: it needs a key");
    const models = await fetch(`${gw.url}/v1/models`, { headers: { "x-benih-internal": internalToken } });
    assert.equal(models.status, 401);
    // And without the token, embeddings need a key like any route.
    assert.equal((await embed({})).status, 401);
  });

  it("refuses a wrong internal token (401), as a request with no credential", async () => {
    for (const wrong of ["guessed", `${internalToken}x`, internalToken.slice(0, -1)]) {
      const r = await embed({ "x-benih-internal": wrong });
      assert.equal(r.status, 401, wrong);
      assert.equal(r.json.error.code, "missing_api_key");
    }
  });

  it("refuses x-benih-on-behalf-of from anyone but the server's own work (403), rather than ignoring it", async () => {
    // Ignored, it would serve a caller who meant to act as another as themselves, and an outside caller could not
    // tell; refused, it says the header is not theirs to send. Neither way is anyone charged or served as alice.
    const cases: Array<[string, Record<string, string>]> = [
      ["no credential", {}],
      ["a wrong internal token", { "x-benih-internal": "guessed" }],
      ["a valid key", { authorization: `Bearer ${key}` }],
      ["a valid key and the internal token", { authorization: `Bearer ${key}`, "x-benih-internal": internalToken }],
    ];
    for (const [what, headers] of cases) {
      const r = await embed({ ...headers, "x-benih-on-behalf-of": "alice" });
      assert.equal(r.status, 403, what);
      assert.equal(r.json.error.code, "on_behalf_of_refused", what);
    }
    // On a route that is not the server's work, even with the internal token.
    const chat = await post(
      "/v1/chat/completions",
      { model: "m", messages: hello },
      { "x-benih-internal": internalToken, "x-benih-on-behalf-of": "alice" },
    );
    assert.equal(chat.status, 403);
    assert.equal(chat.json.error.code, "on_behalf_of_refused");
  });

  it("refuses the server's work for someone it cannot find (no owner lookup here): never served as no one", async () => {
    const r = await embed({ "x-benih-internal": internalToken, "x-benih-on-behalf-of": "nobody" });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, "on_behalf_of_unknown");
  });
});
