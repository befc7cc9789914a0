import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { startGateway, type GatewayHarness } from "./harness.ts";

// Small bodies are parsed on the event loop, most without Fastify's guarded parser: the ones that could poison an
// object must still be refused, however they spell the key.

let gw: GatewayHarness;
before(async () => {
  gw = await startGateway({ providers: [], routes: [] });
});
after(() => gw.close());

const post = (body: string) =>
  fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });

it("refuses a small body holding __proto__ or constructor.prototype, written out or escaped", async () => {
  for (const body of [
    '{"model":"m","messages":[{"role":"user","content":"hi"}],"__proto__":{"admin":true}}',
    '{"model":"m","messages":[{"role":"user","content":"hi"}],"\\u005f\\u005fproto__":{"admin":true}}',
    '{"model":"m","messages":[{"role":"user","content":"hi"}],"x":{"constructor":{"prototype":{"admin":true}}}}',
    '{"model":"m","messages":[{"role":"user","content":"hi"}],"x":{"\\u0063onstructor":{"prototype":{"admin":true}}}}',
  ]) {
    const res = await post(body);
    assert.equal(res.status, 400, body);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, "invalid_json", body);
  }
});

it("reads escaped text and a leading byte-order mark as JSON does", async () => {
  const res = await post('\ufeff{"model":"caf\\u00e9","messages":[{"role":"user","content":"hi"}]}');
  assert.equal(res.status, 404, "parsed: the model is looked up");
  assert.match(((await res.json()) as { error: { message: string } }).error.message, /café/);
});
