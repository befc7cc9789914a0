import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeAnthropic, startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import type { RequestLogRow } from "@benih/store";
import OpenAI from "openai";
import { startServer } from "./harness.ts";

// The official OpenAI SDK, pointed at benih, must work unchanged: this is what users will do first.
let openaiUp: FakeServer;
let anthropicUp: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let client: OpenAI;
let adminKey: string;

before(async () => {
  openaiUp = await startFakeOpenAI({ models: ["gpt-4o-mini", "tools"] });
  anthropicUp = await startFakeAnthropic();
  adminKey = "bk-admin-test-secret-0123456789";
  server = await startServer({
    env: {
      OPENAI_API_KEY: "sk-upstream",
      OPENAI_BASE_URL: `${openaiUp.url}/v1`,
      ANTHROPIC_API_KEY: "sk-ant-upstream",
      ANTHROPIC_BASE_URL: anthropicUp.url,
      BENIH_ADMIN_KEY: adminKey,
    },
    yaml: `
auth:
  required: true
routes:
  - model: assistant
    targets:
      - { provider: openai, model: error-500, retries: 0 }
      - { provider: anthropic, model: claude-fake }
prices:
  openai/gpt-4o-mini: { input: 0.15, output: 0.6 }
`,
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: adminKey, maxRetries: 0 });
});
after(async () => {
  await server.close();
  await openaiUp.close();
  await anthropicUp.close();
});

describe("the official openai SDK against benih", () => {
  it("lists models: routes, and each provider's own models under its name", async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids.sort(), ["anthropic/claude-fake", "assistant", "openai/gpt-4o-mini", "openai/tools"]);
    const one = await client.models.retrieve("openai/gpt-4o-mini");
    assert.equal(one.id, "openai/gpt-4o-mini");
    assert.equal(one.owned_by, "fake");
  });

  it("creates a completion and reports usage", async () => {
    const r = await client.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
    assert.equal(r.choices[0]!.message.content, "Hello from gpt-4o-mini");
    assert.equal(r.choices[0]!.finish_reason, "stop");
    assert.deepEqual(r.usage, { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
    // OpenAI's reasoning-era parameter name is what benih sends to OpenAI.
    const sent = openaiUp.seen.at(-1)!.body;
    assert.equal(sent.model, "gpt-4o-mini");
    assert.equal(sent.messages[0].content, "Hi");
  });

  it("streams with include_usage: deltas, a finish reason, then a usage chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 50,
      temperature: 0.2,
      seed: 7,
      stop: ["\n\n"],
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, "Hello from gpt-4o-mini");
    assert.equal(finish, "stop");
    assert.deepEqual(usage, { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
    const sent = openaiUp.seen.at(-1)!.body;
    assert.equal(sent.max_completion_tokens, 50);
    assert.equal(sent.temperature, 0.2);
    assert.equal(sent.seed, 7);
    assert.deepEqual(sent.stop, ["\n\n"]);
    assert.deepEqual(sent.stream_options, { include_usage: true });
  });

  const weatherTool: OpenAI.ChatCompletionTool = {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather in a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  };

  for (const model of ["openai/tools", "anthropic/tools"]) {
    it(`round-trips a tool call (${model}), streamed and not`, async () => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Jakarta?" }];
      const first = await client.chat.completions.create({ model, messages, tools: [weatherTool], tool_choice: "auto" });
      const call = first.choices[0]!.message.tool_calls?.[0];
      assert.equal(first.choices[0]!.finish_reason, "tool_calls");
      assert.ok(call && call.type === "function");
      assert.equal(call.function.name, "get_weather");
      assert.deepEqual(JSON.parse(call.function.arguments), { city: "Jakarta" });

      // The same call, streamed: the SDK's helper reassembles tool-call deltas.
      const runner = client.chat.completions.stream({ model, messages, tools: [weatherTool] });
      const final = await runner.finalChatCompletion();
      const streamed = final.choices[0]!.message.tool_calls?.[0];
      assert.ok(streamed && streamed.type === "function");
      assert.deepEqual(JSON.parse(streamed.function.arguments), { city: "Jakarta" });
      assert.equal(streamed.id, call.id);

      messages.push(first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "31°C, humid" });
      const second = await client.chat.completions.create({ model, messages, tools: [weatherTool] });
      assert.equal(second.choices[0]!.finish_reason, "stop");
      assert.ok(second.choices[0]!.message.content);
    });
  }

  it("falls back from a failing OpenAI target to Anthropic behind one model name", async () => {
    const r = await client.chat.completions.create({
      model: "assistant",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
    });
    assert.equal(r.choices[0]!.message.content, "Hello from claude-fake");
    const sent = anthropicUp.seen.at(-1)!;
    assert.equal(sent.body.system, "Be brief.", "the system prompt moved to Anthropic's top-level field");
    assert.equal(sent.headers["x-api-key"], "sk-ant-upstream");
  });

  it("gives typed errors: NotFoundError, BadRequestError, AuthenticationError", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "Hi" }] }),
      (e: unknown) => e instanceof OpenAI.NotFoundError && (e.error as { code?: string }).code === "model_not_found",
    );
    await assert.rejects(
      client.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [{ role: "wizard", content: "Hi" } as never] }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && /messages\[0\]\.role/.test(e.message),
    );
    await assert.rejects(
      client.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [], temperature: 3 }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && (e.error as { param?: string }).param === "messages",
    );
    const stranger = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "bk-not-a-real-key", maxRetries: 0 });
    await assert.rejects(stranger.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError);
  });

  it("records each request with target, tokens, timing and cost", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] })
      .withResponse();
    assert.ok(data.id);
    const id = response.headers.get("x-request-id")!;
    let row: RequestLogRow | undefined;
    for (let i = 0; i < 50 && !row; i++) {
      row = await server.store.requestLog.get(id);
      if (!row) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(row, "logged within a second");
    assert.equal(row.target, "openai/gpt-4o-mini");
    assert.equal(row.status, 200);
    assert.equal(row.input_tokens, 11);
    assert.equal(row.output_tokens, 3);
    assert.ok(row.total_ms > 0);
    assert.ok(Math.abs(row.cost_usd! - (11 * 0.15 + 3 * 0.6) / 1e6) < 1e-15);
    const keys = await server.store.apiKeys.list();
    assert.equal(row.api_key_id, keys.find((k) => k.name === "BENIH_ADMIN_KEY")!.id);
  });

  it("serves Prometheus metrics to an admin", async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /benih_requests_total\{model="openai\/gpt-4o-mini",target="openai\/gpt-4o-mini",status="200",stream="false"\} \d+/);
    assert.match(text, /benih_time_to_first_token_seconds_bucket/);
    assert.match(text, /benih_tokens_total\{model="openai\/gpt-4o-mini",target="openai\/gpt-4o-mini",direction="output"\} \d+/);
    const anon = await fetch(`${server.url}/metrics`);
    assert.equal(anon.status, 401);
  });
});
