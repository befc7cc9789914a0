import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { attemptRecord } from "@benih/contracts";
import { startFakeAnthropic, startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { createAnthropic, createOpenAICompatible } from "@benih/providers";
import type { RequestLogRow } from "@benih/store";
import { z } from "zod";
import { chat, hello, readSSE, startGateway, type GatewayHarness } from "./harness.ts";

let up: FakeServer;
let anthropic: FakeServer;
let gw: GatewayHarness;

const targets = (...models: string[]) => models.map((model) => ({ provider: "fake", model }));

before(async () => {
  up = await startFakeOpenAI();
  anthropic = await startFakeAnthropic();
  gw = await startGateway({
    providers: [
      createOpenAICompatible({ name: "fake", baseURL: `${up.url}/v1`, apiKey: "sk-upstream" }),
      createAnthropic({ baseURL: anthropic.url, apiKey: "sk-ant" }),
    ],
    routes: [
      { model: "chain", targets: targets("error-500", "rate-limited", "ok") },
      {
        model: "timeout-then-ok",
        targets: [
          { provider: "fake", model: "slow-3000", timeoutMs: 150 },
          { provider: "fake", model: "ok" },
        ],
      },
      {
        model: "all-fail",
        targets: [...targets("error-503", "unauthorized"), { provider: "fake", model: "slow-2000", timeoutMs: 100, retries: 0 }],
      },
      { model: "only-429", targets: targets("rate-limited") },
      { model: "only-429-long", targets: targets("rate-limited-long") },
      { model: "bad-request-first", targets: targets("bad-request", "ok") },
      {
        model: "missing-provider",
        targets: [
          { provider: "openai", model: "gpt-4o" },
          { provider: "fake", model: "ok" },
        ],
      },
      { model: "reset", targets: targets("reset-mid-stream", "ok") },
      { model: "malformed", targets: targets("malformed-sse", "ok") },
      { model: "error-event", targets: targets("error-mid-stream", "ok") },
      { model: "stall", targets: [{ provider: "fake", model: "stall-mid-stream", idleTimeoutMs: 200 }] },
      {
        model: "claude-then-openai",
        targets: [
          { provider: "anthropic", model: "overloaded", retries: 1 },
          { provider: "fake", model: "ok" },
        ],
      },
      { model: "odd-name", targets: targets("say:通义\n千问") },
    ],
  });
});
after(async () => {
  await gw.close();
  await up.close();
  await anthropic.close();
});

const upstreamModels = (from: number) => up.seen.slice(from).map((s) => s.body?.model);

/** The request's log row; it is written just after the answer went out, so wait for it briefly. */
async function logRow(res: Response) {
  const id = res.headers.get("x-request-id")!;
  let row: RequestLogRow | undefined;
  for (let i = 0; i < 100 && !row; i++) {
    await gw.log.flush();
    row = await gw.store.requestLog.get(id);
    if (!row) await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(row, "the request is in the request log");
  // Parsed with the contract's schema: what the gateway writes is what readers of the log are promised.
  return { ...row, attempts_parsed: z.array(attemptRecord).parse(JSON.parse(row.attempt_log)) };
}

describe("fallback before the first byte", () => {
  it("retries 5xx and 429 once each with backoff, then falls back in order, and logs every attempt", async () => {
    const from = up.seen.length;
    const res = await chat(gw.url, { model: "chain", messages: hello });
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.equal(body.choices[0].message.content, "Hello from ok");
    assert.equal(res.headers.get("x-benih-target"), "fake/ok");
    assert.deepEqual(upstreamModels(from), ["error-500", "error-500", "rate-limited", "rate-limited", "ok"]);
    const row = await logRow(res);
    assert.equal(row.target, "fake/ok");
    assert.equal(row.attempts, 5);
    assert.deepEqual(
      row.attempts_parsed.map((a) => [a.target, a.outcome, a.status]),
      [
        ["fake/error-500", "error", 500],
        ["fake/error-500", "error", 500],
        ["fake/rate-limited", "error", 429],
        ["fake/rate-limited", "error", 429],
        ["fake/ok", "ok", undefined],
      ],
    );
    assert.equal(row.input_tokens, 11);
    assert.equal(row.output_tokens, 3);
    assert.equal(row.cost_usd, (11 * 1 + 3 * 2) / 1e6);
  });

  it("falls back the same way for a stream, sending nothing from the failed targets", async () => {
    const res = await chat(gw.url, { model: "chain", messages: hello, stream: true });
    assert.equal(res.status, 200);
    const events = await readSSE(res);
    assert.equal(events.at(-1), "[DONE]");
    const text = events
      .slice(0, -1)
      .map((e) => e.choices[0]?.delta?.content ?? "")
      .join("");
    assert.equal(text, "Hello from ok");
  });

  it("abandons a target that does not answer within its timeout, and the upstream sees the abort", async () => {
    const from = up.seen.length;
    const t0 = Date.now();
    const res = await chat(gw.url, { model: "timeout-then-ok", messages: hello, stream: true });
    const events = await readSSE(res);
    assert.ok(Date.now() - t0 < 2500, "did not wait for the slow target");
    assert.equal(events.at(-1), "[DONE]");
    const row = await logRow(res);
    assert.match(row.attempts_parsed[0]!.reason!, /timed out/);
    assert.equal(up.seen[from]!.body.model, "slow-3000");
    assert.equal(up.seen[from]!.aborted, true);
  });

  it("answers 502 naming every target and why it failed", async () => {
    const res = await chat(gw.url, { model: "all-fail", messages: hello });
    assert.equal(res.status, 504, "the last failure was a timeout");
    const { error } = (await res.json()) as any;
    assert.equal(error.type, "timeout_error");
    assert.match(error.message, /fake\/error-503: HTTP 503: The engine is currently overloaded/);
    assert.match(error.message, /fake\/unauthorized: rejected benih's credentials \(HTTP 401\)/);
    assert.match(error.message, /fake\/slow-2000: fake timed out/);
  });

  it("answers 429 with retry-after when every target is rate limited", async () => {
    const res = await chat(gw.url, { model: "only-429", messages: hello });
    assert.equal(res.status, 429);
    const { error } = (await res.json()) as any;
    assert.equal(error.code, "upstream_rate_limited");
  });

  it("does not sit out a retry-after longer than allowed, and passes it on", async () => {
    const from = up.seen.length;
    const t0 = Date.now();
    const res = await chat(gw.url, { model: "only-429-long", messages: hello });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "30");
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(up.seen.length - from, 1, "no retry when the upstream asks for 30 s");
  });

  it("returns an upstream's 400 about the request as is, without falling back", async () => {
    const from = up.seen.length;
    const res = await chat(gw.url, { model: "bad-request-first", messages: hello });
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as any;
    assert.match(error.message, /fake\/bad-request rejected the request: HTTP 400: Invalid value for 'temperature'/);
    assert.deepEqual(upstreamModels(from), ["bad-request"]);
  });

  it("treats Anthropic's 529 overloaded like a 5xx: retried, then the next target", async () => {
    const from = anthropic.seen.length;
    const res = await chat(gw.url, { model: "claude-then-openai", messages: hello, stream: true });
    const events = await readSSE(res);
    assert.equal(events.at(-1), "[DONE]");
    assert.equal(anthropic.seen.length - from, 2);
    const row = await logRow(res);
    assert.deepEqual(
      row.attempts_parsed.map((a) => [a.target, a.status]),
      [
        ["anthropic/overloaded", 529],
        ["anthropic/overloaded", 529],
        ["fake/ok", undefined],
      ],
    );
  });

  it("skips a target whose provider is not configured and says so in the log", async () => {
    const res = await chat(gw.url, { model: "missing-provider", messages: hello });
    assert.equal(res.status, 200);
    const row = await logRow(res);
    assert.deepEqual(row.attempts_parsed[0], {
      target: "openai/gpt-4o",
      outcome: "skipped",
      reason: "provider openai is not configured: set its API key",
      ms: 0,
    });
  });
});

describe("failures after the first byte", () => {
  for (const [model, why] of [
    ["reset", /failed mid-stream/],
    ["malformed", /not JSON/],
    ["error-event", /reported an error mid-stream/],
  ] as const) {
    it(`${model}: keeps the partial output and ends the stream with an error event`, async () => {
      const res = await chat(gw.url, { model, messages: hello, stream: true });
      assert.equal(res.status, 200);
      const events = await readSSE(res);
      assert.equal(events[0].choices[0].delta.content, "Hello");
      const last = events.at(-1);
      assert.equal(last.error.type, "upstream_error");
      assert.match(last.error.message, why);
      assert.ok(!events.includes("[DONE]"));
      const row = await logRow(res);
      assert.equal(row.status, 502);
    });
  }

  it("ends a stream whose upstream goes silent with a timeout error event, and aborts the upstream", async () => {
    const from = up.seen.length;
    const res = await chat(gw.url, { model: "stall", messages: hello, stream: true });
    const events = await readSSE(res);
    assert.equal(events[0].choices[0].delta.content, "Hello");
    assert.equal(events.at(-1).error.code, "upstream_timeout");
    await waitFor(() => up.seen[from]!.aborted);
  });

  it("aborts the upstream request when the client disconnects mid-stream", async () => {
    const from = up.seen.length;
    const ac = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "fake/stall-mid-stream", messages: hello, stream: true }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /Hello/);
    assert.equal(up.seen[from]!.aborted, false, "the upstream is still streaming");
    ac.abort();
    await waitFor(() => up.seen[from]!.aborted);
    const row = await logRow(res);
    assert.equal(row.status, 499);
    assert.equal(row.error_code, "client_closed");
  });
});

async function waitFor(cond: () => boolean, ms = 3000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) assert.fail("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("target names", () => {
  it("that a header cannot carry (CJK, a newline) are percent-encoded in x-benih-target, streamed or not", async () => {
    for (const stream of [false, true]) {
      const res = await chat(gw.url, { model: "odd-name", messages: hello, stream });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-benih-target"), "fake/say:%E9%80%9A%E4%B9%89%0A%E5%8D%83%E9%97%AE");
      const text = stream
        ? (await readSSE(res)).map((c: any) => c.choices?.[0]?.delta?.content ?? "").join("")
        : ((await res.json()) as any).choices[0].message.content;
      assert.equal(text, "通义\n千问");
    }
  });
});
