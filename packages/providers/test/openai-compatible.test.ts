import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeAnthropic, startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { collectStream, createAnthropic, createOpenAICompatible, toOpenAIRequest } from "@benih/providers";
import type { Message } from "@benih/spec";

let up: FakeServer;
let anth: FakeServer;
before(async () => {
  up = await startFakeOpenAI();
  anth = await startFakeAnthropic();
});
after(async () => {
  await up.close();
  await anth.close();
});

const user = (text: string): Message[] => [{ role: "user", content: [{ type: "text", text }] }];

describe("providers over an injected fetch", () => {
  it("use the fetch they are given, for generate, stream and model lists, with the same results", async () => {
    const calls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      calls.push(`${init?.method ?? "GET"} ${String(input)}`);
      return fetch(input, init);
    };
    const p = createOpenAICompatible({ name: "fake", baseURL: `${up.url}/v1`, apiKey: "k", fetch: recording });
    const g = await p.chatModel("ok").doGenerate({ prompt: user("hi") });
    assert.deepEqual(g.content, [{ type: "text", text: "Hello from ok" }]);
    const s = await collectStream(await p.chatModel("ok").doStream({ prompt: user("hi") }));
    assert.deepEqual(s.content, g.content);
    assert.deepEqual(s.usage, { inputTokens: 11, outputTokens: 3 });
    assert.ok((await p.listModels!()).some((m) => m.id === "ok"));
    assert.deepEqual(calls, [`POST ${up.url}/v1/chat/completions`, `POST ${up.url}/v1/chat/completions`, `GET ${up.url}/v1/models`]);

    const a = createAnthropic({ baseURL: anth.url, apiKey: "k", fetch: recording });
    const ag = await collectStream(await a.chatModel("claude-fake").doStream({ prompt: user("hi") }));
    assert.deepEqual(ag.content, [{ type: "text", text: "Hello from claude-fake" }]);
    assert.equal(calls.at(-1), `POST ${anth.url}/v1/messages`);
  });

  it("turn an upstream error into a failure with status and retry-after", async () => {
    const p = createOpenAICompatible({ name: "fake", baseURL: `${up.url}/v1`, apiKey: "k", fetch });
    await assert.rejects(
      p.chatModel("rate-limited").doGenerate({ prompt: user("hi") }),
      (e: { kind: string; status: number; retryAfterMs: number }) => {
        assert.equal(e.kind, "http");
        assert.equal(e.status, 429);
        assert.equal(e.retryAfterMs, 0);
        return true;
      },
    );
    const dead = createOpenAICompatible({ name: "dead", baseURL: "http://127.0.0.1:1/v1" });
    await assert.rejects(dead.chatModel("x").doGenerate({ prompt: user("hi") }), (e: { kind: string }) => e.kind === "connect");
  });
});

describe("request mapping", () => {
  it("maps the spec to OpenAI's fields, using each upstream's name for max tokens and warning about what it drops", () => {
    const o = {
      prompt: [
        { role: "system" as const, content: "be brief" },
        ...user("hi"),
        { role: "assistant" as const, content: [{ type: "tool-call" as const, toolCallId: "c1", toolName: "f", input: "{}" }] },
        { role: "tool" as const, content: [{ type: "tool-result" as const, toolCallId: "c1", output: "42" }] },
      ],
      maxOutputTokens: 10,
      seed: 3,
      responseFormat: { type: "json" as const },
    };
    const openai = toOpenAIRequest(
      "m",
      o,
      { maxTokensField: "max_completion_tokens", streamUsage: true, seed: true, penalties: true },
      true,
    );
    assert.equal(openai.body.max_completion_tokens, 10);
    assert.equal(openai.body.seed, 3);
    assert.deepEqual(openai.body.response_format, { type: "json_object" });
    assert.deepEqual(openai.body.stream_options, { include_usage: true });
    assert.deepEqual(openai.body.messages, [
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c1", content: "42" },
    ]);
    const ark = toOpenAIRequest("m", o, { maxTokensField: "max_tokens", streamUsage: true, seed: false, penalties: true }, false);
    assert.equal(ark.body.max_tokens, 10);
    assert.equal(ark.body.seed, undefined);
    assert.deepEqual(
      ark.warnings.map((w) => w.setting),
      ["seed"],
    );
  });
});
