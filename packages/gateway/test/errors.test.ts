import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { createOpenAICompatible } from "@benih/providers";
import { chat, hello, startGateway, type GatewayHarness } from "./harness.ts";

let up: FakeServer;
let gw: GatewayHarness;
let key: string;

before(async () => {
  up = await startFakeOpenAI();
  gw = await startGateway({
    providers: [createOpenAICompatible({ name: "fake", baseURL: `${up.url}/v1`, apiKey: "k" })],
    routes: [{ model: "m", targets: [{ provider: "fake", model: "ok" }] }],
    authRequired: true,
    bodyLimit: 1024,
  });
  key = (await gw.store.apiKeys.create("test")).key;
});
after(async () => {
  await gw.close();
  await up.close();
});

const auth = () => ({ authorization: `Bearer ${key}` });

async function expectError(res: Response, status: number, code: string | null, param?: string | null) {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message", "param", "type"]);
  assert.equal(body.error.code, code);
  if (param !== undefined) assert.equal(body.error.param, param);
  return body.error;
}

describe("errors in OpenAI's shape with the right status", () => {
  it("401 without a key, naming how to get one; 401 with a wrong key; a revoked key stops working", async () => {
    const e = await expectError(await chat(gw.url, { model: "m", messages: hello }), 401, "missing_api_key");
    assert.match(e.message, /benih keys create/);
    await expectError(await chat(gw.url, { model: "m", messages: hello }, { authorization: "Bearer bk-wrong" }), 401, "invalid_api_key");
    const other = await gw.store.apiKeys.create("temp");
    assert.equal((await chat(gw.url, { model: "m", messages: hello }, { "x-api-key": other.key })).status, 200);
    await gw.store.apiKeys.revoke(other.id);
    // The test harness caches keys for 0 ms, so the revocation is seen at once.
    await expectError(
      await chat(gw.url, { model: "m", messages: hello }, { authorization: `Bearer ${other.key}` }),
      401,
      "invalid_api_key",
    );
  });

  it("400 for a body that is not JSON", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth() },
      body: '{"model": "m",',
    });
    const e = await expectError(res, 400, "invalid_json");
    assert.match(e.message, /could not parse the JSON body/);
  });

  it("400 naming the field for a schema violation", async () => {
    let e = await expectError(await chat(gw.url, { messages: hello }, auth()), 400, "invalid_value", "model");
    assert.equal(e.message, "Missing required parameter: 'model'.");
    e = await expectError(
      await chat(gw.url, { model: "m", messages: hello, temperature: 2.5 }, auth()),
      400,
      "invalid_value",
      "temperature",
    );
    assert.match(e.message, /Invalid value for 'temperature'/);
    await expectError(
      await chat(gw.url, { model: "m", messages: [{ role: "user", content: 42 }] }, auth()),
      400,
      "invalid_value",
      "messages[0].content",
    );
    await expectError(
      await chat(gw.url, { model: "m", messages: [{ role: "tool", content: "x", tool_call_id: "nope" }] }, auth()),
      400,
      "invalid_value",
      "messages[0].tool_call_id",
    );
    await expectError(await chat(gw.url, { model: "m", messages: hello, n: 2 }, auth()), 400, "invalid_value", "n");
    await expectError(await chat(gw.url, [1, 2], auth()), 400, "invalid_body");
  });

  it("404 model_not_found for an unknown model, and for an unknown URL", async () => {
    const e = await expectError(await chat(gw.url, { model: "gpt-9", messages: hello }, auth()), 404, "model_not_found", "model");
    assert.match(e.message, /GET \/v1\/models/);
    await expectError(await fetch(`${gw.url}/v1/completions`, { method: "POST", headers: auth() }), 404, "unknown_url");
  });

  it("413 for a body over the limit, 415 for a body that is not JSON at all", async () => {
    const big = { model: "m", messages: [{ role: "user", content: "x".repeat(5000) }] };
    await expectError(await chat(gw.url, big, auth()), 413, "request_too_large");
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...auth() },
      body: "hello",
    });
    await expectError(res, 415, "unsupported_media_type");
  });

  it("answers a body declared too large with its 413 even while the client is still sending it", async () => {
    // 512 KB declared against a 1 KB limit, sent slowly: refused at once, but read to its end before the answer,
    // so a client busy writing is not cut off with a broken pipe (which fetch reports instead of the 413).
    const chunk = Buffer.alloc(16 * 1024, "x");
    let sentAll = false;
    async function* slowly() {
      for (let i = 0; i < 32; i++) {
        if (i === 31) sentAll = true;
        yield chunk;
        await sleep(5);
      }
    }
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(32 * chunk.length), ...auth() },
      body: ReadableStream.from(slowly()),
      duplex: "half",
    } as RequestInit);
    assert.ok(sentAll, "the answer came after the whole body was sent");
    await expectError(res, 413, "request_too_large");
  });

  it("GET /v1/models/{id} for a routed id with a slash, and 404 for an unknown one", async () => {
    const res = await fetch(`${gw.url}/v1/models/fake/ok`, { headers: auth() });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { id: string }).id, "fake/ok");
    await expectError(await fetch(`${gw.url}/v1/models/nope`, { headers: auth() }), 404, "model_not_found");
  });

  it("/health answers without a key", async () => {
    const res = await fetch(`${gw.url}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok" });
  });
});
