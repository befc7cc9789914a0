import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { createOpenAICompatible } from "@benih/providers";
import { Store } from "@benih/store";
import { chat, hello, startGateway, type GatewayHarness } from "./harness.ts";

let up: FakeServer;
const gateways: GatewayHarness[] = [];
const provider = () => createOpenAICompatible({ name: "fake", baseURL: `${up.url}/v1`, apiKey: "k" });
const routes = [{ model: "m", targets: [{ provider: "fake", model: "ok" }] }];

/** A gateway on loopback that caches keys as the server does (one second). */
async function gateway(authRequired: boolean): Promise<GatewayHarness> {
  const gw = await startGateway({ providers: [provider()], routes, authRequired, keyCacheMs: 1_000 });
  gateways.push(gw);
  return gw;
}

async function errorCode(res: Response): Promise<string | null> {
  return ((await res.json()) as { error: { code: string | null } }).error.code;
}

before(async () => {
  up = await startFakeOpenAI();
});
after(async () => {
  for (const gw of gateways) await gw.close();
  await up.close();
});

describe("API keys on an open loopback server", () => {
  let gw: GatewayHarness;
  before(async () => {
    gw = await gateway(false);
  });

  it("serves a request that sends no key", async () => {
    assert.equal((await chat(gw.url, { model: "m", messages: hello })).status, 200);
  });

  it("refuses a key that does not exist, as Bearer or as x-api-key, rather than serving it as nobody's", async () => {
    const tries: Record<string, string>[] = [{ authorization: "Bearer bk-not-a-real-key" }, { "x-api-key": "bk-not-a-real-key" }];
    for (const headers of tries) {
      const res = await chat(gw.url, { model: "m", messages: hello }, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(await errorCode(res), "invalid_api_key");
    }
  });

  it("serves a live key, and refuses it at once when it is revoked, although keys are cached", async () => {
    const k = await gw.store.apiKeys.create("soon revoked");
    const auth = { authorization: `Bearer ${k.key}` };
    assert.equal((await chat(gw.url, { model: "m", messages: hello }, auth)).status, 200);
    assert.equal(await gw.store.apiKeys.revoke(k.id), 1);
    const res = await chat(gw.url, { model: "m", messages: hello }, auth);
    assert.equal(res.status, 401);
    assert.equal(await errorCode(res), "invalid_api_key");
  });
});

describe("API keys on a server that requires them", () => {
  it("refuses a key revoked at once through the same store", async () => {
    const gw = await gateway(true);
    const k = await gw.store.apiKeys.create("person");
    const auth = { "x-api-key": k.key };
    assert.equal((await chat(gw.url, { model: "m", messages: hello }, auth)).status, 200);
    await gw.store.apiKeys.revoke(k.prefix);
    assert.equal((await chat(gw.url, { model: "m", messages: hello }, auth)).status, 401);
  });

  it("refuses a key revoked by another process (benih keys revoke) within the one-second cache", async () => {
    const gw = await gateway(true);
    const k = await gw.store.apiKeys.create("person");
    const auth = { authorization: `Bearer ${k.key}` };
    assert.equal((await chat(gw.url, { model: "m", messages: hello }, auth)).status, 200);
    // What the CLI does: its own Store over the same database file.
    const cli = await Store.open(gw.store.location);
    try {
      assert.equal(await cli.apiKeys.revoke(k.id), 1);
    } finally {
      await cli.close();
    }
    await new Promise((r) => setTimeout(r, 1_100));
    const res = await chat(gw.url, { model: "m", messages: hello }, auth);
    assert.equal(res.status, 401);
    assert.equal(await errorCode(res), "invalid_api_key");
  });
});
