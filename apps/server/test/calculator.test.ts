import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { writeForcedModel } from "@benih/gguf";
import { startServer } from "./harness.ts";

// The calculator skill, run by the assistant for a tool-using agent's model: here the fake upstream's
// `call:calculator`, which calls the calculator with the question as its arguments and answers "Tool said: <result>".
// And a local GGUF whose answer is forced to benih's tool-call format, served as OpenAI tool_calls.
const modelsDir = mkdtempSync(join(tmpdir(), "benih-calc-models-"));
writeFileSync(
  join(modelsDir, "benih-caller.gguf"),
  writeForcedModel('<tool_call>{"name":"calculator","arguments":{"expression":"37+48"}}</tool_call>'),
);
let upstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  upstream = await startFakeOpenAI({ models: ["call:calculator"] });
  server = await startServer({
    env: { OPENAI_API_KEY: "sk", OPENAI_BASE_URL: `${upstream.url}/v1`, BENIH_MODELS_DIR: modelsDir },
    yaml: "routes:\n  - { model: calc, targets: [{ provider: openai, model: 'call:calculator' }] }\n",
  });
});
after(async () => {
  await server?.close();
  await upstream?.close();
  rmSync(modelsDir, { recursive: true, force: true });
});

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(server.url + path, {
    method,
    ...(body !== undefined && { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined) as any };
};

/** Asks `content` in a new conversation with an agent of `skills` that uses tools; the answer as kept, and as streamed. */
async function ask(skills: string[], content: string) {
  const agent = await api("POST", "/v1/agents", { name: "Counter", skills, toolUse: true });
  assert.equal(agent.status, 201, agent.text);
  const conv = (await api("POST", "/v1/conversations", { model: "calc", agent: agent.json.id })).json.id as string;
  const streamed = await api("POST", `/v1/conversations/${conv}/messages`, { content });
  assert.equal(streamed.status, 200, streamed.text);
  return { answer: (await api("GET", `/v1/conversations/${conv}`)).json.messages.at(-1), streamed: streamed.text };
}

describe("the calculator skill", () => {
  it("is run by the assistant when the model calls it, and the model answers from its result", async () => {
    const { answer, streamed } = await ask(["calculator"], '{"expression":"37+48"}');
    assert.deepEqual([answer.status, answer.content], ["done", "Tool said: 85"]);
    assert.match(streamed, /event: delta\ndata: \{"text":"Tool said: 85"\}/);
    // Kept with the answer, so the person sees what was worked out.
    assert.deepEqual(
      answer.meta.toolCalls.map((c: any) => [c.server, c.tool, c.arguments, c.result, c.status]),
      [["benih", "calculator", { expression: "37+48" }, "85", "done"]],
    );
    // The calculator's errors are results the model reads, not failures of the answer.
    const zero = await ask(["calculator"], '{"expression":"1/0"}');
    assert.deepEqual([zero.answer.status, zero.answer.content], ["done", "Tool said: error: division by zero"]);
    assert.deepEqual(
      zero.answer.meta.toolCalls.map((c: any) => [c.status, c.error]),
      [["error", "division by zero"]],
    );
    const words = await ask(["calculator"], '{"expression":"require(\\"fs\\")"}');
    assert.equal(words.answer.content, 'Tool said: error: unexpected "r" at 1');
  });

  it("is offered only to agents that name it, and is not a chip a message chooses", async () => {
    const { answer } = await ask(["search"], '{"expression":"37+48"}');
    assert.equal(answer.content, "No tool calculator.");
    const conv = (await api("POST", "/v1/conversations", { model: "calc" })).json.id as string;
    const chip = await api("POST", `/v1/conversations/${conv}/messages`, { content: "37+48", skill: "calculator" });
    assert.deepEqual([chip.status, chip.json.error.code], [400, "invalid_skill"]);
  });
});

describe("a local model that calls tools, through the OpenAI API", () => {
  const request = {
    model: "benih-caller",
    messages: [{ role: "user", content: "what is 37 plus 48" }],
    tools: [{ type: "function", function: { name: "calculator", parameters: { type: "object" } } }],
  };

  it("answers its <tool_call> as tool_calls with finish_reason tool_calls", async () => {
    const r = await api("POST", "/v1/chat/completions", request);
    assert.equal(r.status, 200, r.text);
    const [choice] = r.json.choices;
    assert.equal(choice.finish_reason, "tool_calls");
    assert.equal(choice.message.content, null);
    assert.equal(choice.message.tool_calls.length, 1);
    assert.deepEqual(choice.message.tool_calls[0].function, { name: "calculator", arguments: '{"expression":"37+48"}' });
    assert.match(choice.message.tool_calls[0].id, /^call_/);
  });

  it("streams it the same way", async () => {
    const r = await api("POST", "/v1/chat/completions", { ...request, stream: true });
    assert.equal(r.status, 200, r.text);
    const chunks = r.text
      .split("\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => JSON.parse(l.slice(6)));
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(
      calls.map((c: { function: object }) => c.function),
      [{ name: "calculator", arguments: '{"expression":"37+48"}' }],
    );
    assert.equal(
      chunks.some((c) => c.choices[0]?.delta.content),
      false,
      "no text",
    );
    assert.equal(chunks.at(-1).choices[0].finish_reason, "tool_calls");
  });
});
