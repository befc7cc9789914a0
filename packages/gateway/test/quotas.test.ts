import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { MemoryCounters, QuotaGate, RedisCounters, type QuotaCounters } from "@benih/gateway";
import type { QuotaLimits } from "@benih/contracts";
import { createOpenAICompatible } from "@benih/providers";
import type { Store } from "@benih/store";
import { redisForTest } from "@benih/store/testing";
import { Redis } from "ioredis";
import { chat, hello, startGateway, type GatewayHarness } from "./harness.ts";
import { mulberry32, PROPERTY_BUDGET, runConcurrentBudget } from "./quota-property.ts";
import { DEFAULT_MAX_ANSWER_TOKENS } from "../src/quota/estimate.ts";

// Quotas as a caller meets them: OpenAI's 429s and x-ratelimit headers, budgets that hold under concurrency,
// reservations replaced by real use, and counters that cannot be reached refusing rather than serving unchecked.

/** Limits by the key's name: the QuotaPolicy port, as per-person overrides will use it. */
const byName = (limits: Record<string, QuotaLimits>) => ({ limitsFor: (p: { name: string }) => limits[p.name] });
// One minute for the whole file, so no window turns over mid-test.
const frozen = Date.now();
const internalToken = "internal-secret-of-this-test";

let up: FakeServer;
let slowUp: FakeServer;
let gw: GatewayHarness;
const keys: Record<string, string> = {};
const bearer = (name: string) => ({ authorization: `Bearer ${keys[name]}` });
const chats = () => up.seen.filter((s) => s.path.endsWith("/chat/completions")).length;

async function startWith(counters: QuotaCounters, limits: Record<string, QuotaLimits>, store?: Store) {
  return startGateway({
    ...(store && { store }),
    providers: [
      createOpenAICompatible({ name: "fake", baseURL: `${up.url}/v1`, apiKey: "k" }),
      createOpenAICompatible({ name: "slow", baseURL: `${slowUp.url}/v1`, apiKey: "k" }),
    ],
    routes: [
      { model: "m", targets: [{ provider: "fake", model: "ok" }] },
      { model: "long", targets: [{ provider: "slow", model: `say:${"abc ".repeat(100)}` }] },
      { model: "echo", targets: [{ provider: "slow", model: "echo" }] },
    ],
    authRequired: true,
    concurrentPerKey: 64,
    internalToken,
    quota: new QuotaGate(counters, byName(limits), { now: () => frozen }),
  });
}

before(async () => {
  up = await startFakeOpenAI({ measuredUsage: true });
  slowUp = await startFakeOpenAI({ measuredUsage: true, chunkDelayMs: 20 });
  gw = await startWith(new MemoryCounters(), {
    rpm: { requestsPerMinute: 3 },
    internal: { requestsPerMinute: 1, tokensPerDay: 1000 },
    cost: { costPerMonthUsd: 0.0001 },
    tokens: { tokensPerDay: 100 },
    aborted: { tokensPerDay: 10_000 },
    capped: { tokensPerDay: 100_000 },
    prop: { tokensPerDay: PROPERTY_BUDGET },
  });
  for (const name of ["rpm", "other", "internal", "cost", "tokens", "aborted", "capped"])
    keys[name] = (await gw.store.apiKeys.create(name)).key;
});
after(async () => {
  await gw.close();
  await up.close();
  await slowUp.close();
});

const header = (res: Response, name: string) => res.headers.get(name);

describe("an answer's length", () => {
  it("holds an answer that names no max_tokens to what was reserved for it; a key without limits is sent as it asked", async () => {
    const sentMax = () => {
      const body = up.seen.filter((s) => s.path.endsWith("/chat/completions")).at(-1)!.body as Record<string, unknown>;
      return body.max_completion_tokens ?? body.max_tokens;
    };
    assert.equal((await chat(gw.url, { model: "m", messages: hello }, bearer("capped"))).status, 200);
    assert.equal(sentMax(), DEFAULT_MAX_ANSWER_TOKENS, "unbounded, the upstream could write past the reservation");
    assert.equal((await chat(gw.url, { model: "m", messages: hello, max_tokens: 7 }, bearer("capped"))).status, 200);
    assert.equal(sentMax(), 7, "a cap the caller gave is kept");
    assert.equal((await chat(gw.url, { model: "m", messages: hello }, bearer("other"))).status, 200);
    assert.equal(sentMax(), undefined, "no limits, no cap");
  });
});

describe("requests per minute", () => {
  it("counts down on successes, refuses the next with 429 rate_limit_exceeded, and leaves other keys alone", async () => {
    for (const remaining of ["2", "1", "0"]) {
      const ok = await chat(gw.url, { model: "m", messages: hello }, bearer("rpm"));
      assert.equal(ok.status, 200);
      assert.equal(header(ok, "x-ratelimit-limit-requests"), "3");
      assert.equal(header(ok, "x-ratelimit-remaining-requests"), remaining);
      // Within the minute, as OpenAI writes it: "59s", or "1m0s" right at the window's start.
      assert.match(header(ok, "x-ratelimit-reset-requests")!, /^([1-5]?\ds|1m0s)$/);
      assert.equal(header(ok, "x-ratelimit-limit-tokens"), null, "no token limit: no token headers");
    }
    const before = chats();
    const refused = await chat(gw.url, { model: "m", messages: hello }, bearer("rpm"));
    const body = (await refused.json()) as { error: { code: string; type: string; message: string } };
    assert.equal(refused.status, 429);
    assert.equal(body.error.code, "rate_limit_exceeded");
    assert.equal(body.error.type, "requests");
    assert.match(body.error.message, /limit 3, used 3/);
    const retry = Number(header(refused, "retry-after"));
    assert.ok(retry >= 1 && retry <= 60, `retry-after ${retry}: the seconds left in this minute`);
    assert.equal(header(refused, "x-ratelimit-remaining-requests"), "0");
    assert.equal(chats(), before, "the refused request reached no upstream");

    const other = await chat(gw.url, { model: "m", messages: hello }, bearer("other"));
    assert.equal(other.status, 200, "a key without limits is not affected");
    assert.equal(header(other, "x-ratelimit-limit-requests"), null);
  });

  it("counts the server's own calls for a person (x-benih-internal) in tokens but not as another request", async () => {
    const first = await chat(gw.url, { model: "m", messages: hello, max_tokens: 5 }, bearer("internal"));
    assert.equal(header(first, "x-ratelimit-remaining-requests"), "0");
    let tokens = Number(header(first, "x-ratelimit-remaining-tokens"));
    for (let i = 0; i < 3; i++) {
      const own = await chat(
        gw.url,
        { model: "m", messages: hello, max_tokens: 5 },
        { ...bearer("internal"), "x-benih-internal": internalToken },
      );
      assert.equal(own.status, 200, await own.clone().text());
      const left = Number(header(own, "x-ratelimit-remaining-tokens"));
      assert.ok(left < tokens, `tokens count down (${left} < ${tokens})`);
      tokens = left;
    }
    const forged = await chat(gw.url, { model: "m", messages: hello }, { ...bearer("internal"), "x-benih-internal": "guessed" });
    assert.equal(forged.status, 429, "a wrong internal token is the caller's own request");
  });
});

describe("budgets", () => {
  it("holds a cost per month at the model's price, settling each request on its real cost", async () => {
    // fake/ok costs $1 in, $2 out per million tokens. "Hi" with max_tokens 30 reserves (6 + 30 × 2) = 66 µUSD and
    // really costs (2 + 3 × 2) = 8 µUSD ("Hello from ok" is 3 pieces): five fit in 100 µUSD once settled, where
    // reservations alone would allow one.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await chat(gw.url, { model: "m", messages: hello, max_tokens: 30 }, bearer("cost"))).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const refused = await chat(gw.url, { model: "m", messages: hello, max_tokens: 30 }, bearer("cost"));
    const body = (await refused.json()) as { error: { code: string; type: string; message: string } };
    assert.equal(body.error.code, "insufficient_quota");
    assert.equal(body.error.type, "insufficient_quota");
    assert.match(body.error.message, /spent \$0\.000040 of its \$0\.000100 for this month \(UTC\).*up to \$0\.000066/);
    assert.ok(Number(header(refused, "retry-after")) > 0);
  });

  it("refuses a request that can never fit, reserving nothing, then serves one that fits", async () => {
    const big = await chat(gw.url, { model: "m", messages: hello, max_tokens: 200 }, bearer("tokens"));
    const body = (await big.json()) as { error: { code: string; message: string } };
    assert.equal(big.status, 429);
    assert.equal(body.error.code, "insufficient_quota");
    assert.match(body.error.message, /used 0 of the 100 tokens.*up to 206.*can never fit/);
    assert.equal(header(big, "x-ratelimit-remaining-tokens"), "100", "the refusal reserved nothing");
    const small = await chat(gw.url, { model: "m", messages: hello, max_tokens: 5 }, bearer("tokens"));
    assert.equal(small.status, 200);
    assert.equal(header(small, "x-ratelimit-remaining-tokens"), String(100 - 11), "its own reservation: 2 + 4 + 5");
    const next = await chat(gw.url, { model: "m", messages: hello, max_tokens: 5 }, bearer("tokens"));
    assert.equal(header(next, "x-ratelimit-remaining-tokens"), String(100 - 5 - 11), "the first settled on its 2 + 3 tokens");
  });

  it("settles an aborted stream on what it used: its prompt and what was streamed, not its reservation", async () => {
    const res = await chat(gw.url, { model: "long", messages: hello, max_tokens: 1000, stream: true }, bearer("aborted"));
    assert.equal(header(res, "x-ratelimit-remaining-tokens"), String(10_000 - 1006));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    // The request log's row is written after the settle: wait for it.
    let row: { status: number } | undefined;
    for (let i = 0; i < 200 && !row; i++) {
      await gw.log.flush();
      row = (await gw.store.requestLog.recent(20)).find((r) => r.model === "long");
      if (!row) await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(row?.status, 499);
    const probe = await chat(gw.url, { model: "m", messages: hello, max_tokens: 5 }, bearer("aborted"));
    const used = 10_000 - 11 - Number(header(probe, "x-ratelimit-remaining-tokens"));
    assert.ok(used >= 6 && used < 6 + 400, `the aborted stream counts ${used}: its prompt (6) and part of its 400 characters`);
  });
});

describe("concurrency", () => {
  it("50 concurrent streams of random sizes never pass a token budget (seeded)", async () => {
    const r = await runConcurrentBudget([gw.url], (await gw.store.apiKeys.create("prop")).key, mulberry32(14));
    assert.ok(r.used <= r.budget, `used ${r.used} of ${r.budget}`);
    assert.ok(r.refused > 0 && r.served > 0, `${r.served} served, ${r.refused} refused: the budget was contended`);
    assert.equal(r.counted, r.used, "the counter holds exactly what was used: no reservation leaked");
  });

  // Redis is a service this machine may not run; CI sets BENIH_REQUIRE_REDIS so that there it cannot be skipped.
  const REDIS_DB = 14;
  const redisUrl = `redis://127.0.0.1:6379/${REDIS_DB}`;

  it("holds the budget across two instances sharing Redis (seeded)", async (t) => {
    const noRedis = await redisForTest(redisUrl);
    if (noRedis) return t.skip(noRedis);
    const onError = (err: Error) => assert.fail(err);
    const [c1, c2] = [await RedisCounters.open(redisUrl, onError), await RedisCounters.open(redisUrl, onError)];
    const limits = { prop: { tokensPerDay: PROPERTY_BUDGET } };
    const a = await startWith(c1, limits);
    const b = await startWith(c2, limits, a.store);
    try {
      const key = (await a.store.apiKeys.create("prop")).key;
      const r = await runConcurrentBudget([a.url, b.url], key, mulberry32(41));
      assert.ok(r.used <= r.budget, `used ${r.used} of ${r.budget}`);
      assert.ok(r.refused > 0 && r.served > 0, `${r.served} served, ${r.refused} refused: the budget was contended`);
      assert.equal(r.counted, r.used, "the shared counter holds exactly what was used: no reservation leaked");
    } finally {
      await b.close();
      await a.close();
      await c1.close();
      await c2.close();
    }
  });
});

describe("a reservation Redis answers too late", () => {
  it("is taken back, so the refused request holds nothing of the budget", async (t) => {
    const url = "redis://127.0.0.1:6379/13";
    const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on("error", () => {});
    if (
      !(await admin.connect().then(
        () => true,
        () => false,
      ))
    ) {
      if (process.env.BENIH_REQUIRE_REDIS) assert.fail(`BENIH_REQUIRE_REDIS is set but Redis does not answer at ${url}`);
      return t.skip(`Redis does not answer at ${url}`);
    }
    const counters = await RedisCounters.open(url, () => {}, 100);
    try {
      await admin.flushdb();
      // Redis holds every client's commands for 400 ms: the reservation runs after its 100 ms timeout has passed.
      await admin.call("CLIENT", "PAUSE", "400", "ALL");
      const asks = [{ key: "late:{s}:t", amount: 500, limit: 1000, endsAt: Date.now() + 60_000 }];
      await assert.rejects(counters.reserve(asks), /timed out/i);
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(Number((await admin.get("late:{s}:t")) ?? 0), 0, "what the late reservation added was taken back");
      assert.deepEqual(await admin.keys("late:{s}:t:receipt:*"), [], "and its receipt is gone");
    } finally {
      await counters.close();
      admin.disconnect();
    }
  });
});

describe("counters unreachable", () => {
  it("refuses with 503 quota_unavailable rather than serving unchecked; subjects without limits are served", async () => {
    const unreachable = await RedisCounters.open("redis://127.0.0.1:1", () => {}, 200);
    const g = await startWith(unreachable, { limited: { tokensPerDay: 1000 } });
    try {
      const limited = (await g.store.apiKeys.create("limited")).key;
      const free = (await g.store.apiKeys.create("free")).key;
      const before = chats();
      const res = await chat(g.url, { model: "m", messages: hello }, { authorization: `Bearer ${limited}` });
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(res.status, 503);
      assert.equal(body.error.code, "quota_unavailable");
      assert.equal(header(res, "retry-after"), "5");
      assert.equal(chats(), before, "nothing reached the upstream");
      assert.equal((await chat(g.url, { model: "m", messages: hello }, { authorization: `Bearer ${free}` })).status, 200);
    } finally {
      await g.close();
      await unreachable.close();
    }
  });
});
