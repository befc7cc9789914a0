import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { request } from "undici";
import { startServer } from "./harness.ts";
import { marketYaml } from "./market-yaml.ts";

// benih.yaml's quotas as the server composes them: a market's own limits over the server-wide ones, and REDIS_URL
// choosing shared counters. (The engine itself, its budgets under concurrency and across two instances sharing
// Redis, is tested in packages/gateway/test/quotas.test.ts.)

const yaml = (upstream: string) => `
auth: { required: true }
providers:
  - { name: openai, type: openai, baseURL: "${upstream}", apiKey: k, listModels: false }
routes:
  - { model: gpt, targets: [{ provider: openai, model: ok }] }
prices: { openai/ok: { input: 1, output: 2 } }
quota: { tokensPerDay: 50000, costPerMonthUsd: 5 }
training: { localAgent: false }
markets:${marketYaml("cn", "cn.localhost", "\n    quota: { requestsPerMinute: 2 }")}${marketYaml("global", "localhost")}
`;

async function ask(url: string, host: string, key: string) {
  const res = await request(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { host, authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt", messages: [{ role: "user", content: "Hi" }], max_tokens: 10 }),
  });
  const body = (await res.body.json()) as { error?: { code: string } };
  return { status: res.statusCode, code: body.error?.code, header: (n: string) => res.headers[n] as string | undefined };
}

let up: FakeServer;
before(async () => {
  up = await startFakeOpenAI();
});
after(async () => up.close());

describe("quotas from benih.yaml", () => {
  it("holds each market's keys to the market's quota, field by field over the server-wide one", async () => {
    const server = await startServer({ yaml: yaml(`${up.url}/v1`) });
    try {
      const cnKey = (await server.store.apiKeys.create("cn person", "user", "cn")).key;
      const globalKey = (await server.store.apiKeys.create("global person", "user", "global")).key;
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await ask(server.url, "cn.localhost", cnKey));
      assert.deepEqual(
        statuses.map((s) => s.status),
        [200, 200, 429],
      );
      assert.equal(statuses[2]!.code, "rate_limit_exceeded");
      assert.equal(statuses[0]!.header("x-ratelimit-limit-requests"), "2");
      assert.equal(statuses[0]!.header("x-ratelimit-limit-tokens"), "50000", "the server-wide tokens per day still apply in cn");

      const global = await ask(server.url, "localhost", globalKey);
      assert.equal(global.status, 200);
      assert.equal(global.header("x-ratelimit-limit-requests"), undefined, "global has no requests-per-minute limit");
      assert.equal(global.header("x-ratelimit-limit-tokens"), "50000");
      assert.equal(global.header("x-ratelimit-remaining-tokens"), String(50000 - (2 + 4 + 10)));
    } finally {
      await server.close();
    }
  });

  it("counts the assistant's answers as requests too, and a person's own limits over the market's", async () => {
    const server = await startServer({ yaml: yaml(`${up.url}/v1`) });
    try {
      const cnKey = (await server.store.apiKeys.create("cn person", "user", "cn")).key;
      const post = (path: string, body: object) =>
        request(`${server.url}${path}`, {
          method: "POST",
          headers: { host: "cn.localhost", authorization: `Bearer ${cnKey}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const conv = (await (await post("/v1/conversations", { model: "gpt" })).body.json()) as { id: string };
      // The window is the clock's minute: three answers that would straddle its end start in the next one instead.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 50));
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await post(`/v1/conversations/${conv.id}/messages`, { content: `Hi ${i}` });
        await res.body.text();
        statuses.push(res.statusCode);
      }
      assert.deepEqual(statuses, [200, 200, 429], "cn's 2 requests a minute hold for answers in the app as for the API");

      const cn = server.markets!.stores.get("cn")!.accounts;
      const person = await cn.create({ email: "p@example.cn", name: "p", passwordHash: null, role: "member", market: "cn" });
      await cn.update(person.id, { quota: JSON.stringify({ requestsPerMinute: 5 }) });
      const own = (await server.markets!.stores.get("cn")!.apiKeys.createFor(person.id, "cn", "own")).key;
      const res = await request(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { host: "cn.localhost", authorization: `Bearer ${own}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt", messages: [{ role: "user", content: "Hi" }], max_tokens: 10 }),
      });
      await res.body.text();
      assert.equal(res.headers["x-ratelimit-limit-requests"], "5", "the person's own limit");
      assert.equal(res.headers["x-ratelimit-limit-tokens"], "50000", "the rest from the market and the server");
    } finally {
      await server.close();
    }
  });

  it("uses Redis when REDIS_URL is set, and refuses with 503 quota_unavailable while it cannot be reached", async () => {
    const server = await startServer({ yaml: yaml(`${up.url}/v1`), env: { REDIS_URL: "redis://127.0.0.1:1/0" } });
    try {
      const key = (await server.store.apiKeys.create("global person", "user", "global")).key;
      const r = await ask(server.url, "localhost", key);
      assert.equal(r.status, 503);
      assert.equal(r.code, "quota_unavailable");
      const ready = await request(`${server.url}/ready`);
      const state = (await ready.body.json()) as { status: string; failed: Array<{ name: string }> };
      assert.equal(ready.statusCode, 503, "not ready while Redis cannot be reached");
      assert.deepEqual([state.status, state.failed.map((f) => f.name)], ["unavailable", ["quota counters", "signals"]]);
    } finally {
      await server.close();
    }
  });
});
