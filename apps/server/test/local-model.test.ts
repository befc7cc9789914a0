import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CHATML_PLAIN_TEMPLATE, writeTestModel } from "@benih/gguf";
import OpenAI from "openai";
import { startServer } from "./harness.ts";

// What `npm start` does: GGUF files in the models folder are served by name through llama.cpp.
let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  const base = await startServer();
  await base.close();
  const modelsDir = join(`${base.dataDir}-models`);
  mkdirSync(modelsDir, { recursive: true });
  // Plain ChatML: a model whose template does not render tool calls (calculator.test.ts has one that does).
  writeFileSync(join(modelsDir, "benih-test.gguf"), writeTestModel({ seed: 9, chatTemplate: CHATML_PLAIN_TEMPLATE }));
  server = await startServer({ env: { BENIH_MODELS_DIR: modelsDir } });
});
after(async () => server.close());

describe("local GGUF models through the API", () => {
  it("lists the file by name and streams a completion from it", async () => {
    // The SDK must send some key, and a key that does not exist is refused even on loopback: send a real one.
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: (await server.store.apiKeys.create("sdk")).key, maxRetries: 0 });
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids, ["benih-test"]);
    const stream = await client.chat.completions.create({
      model: "benih-test",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      max_tokens: 10,
      seed: 1,
      stream_options: { include_usage: true },
    });
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: OpenAI.ChatCompletionChunk.Choice["finish_reason"] | undefined;
    for await (const c of stream) {
      if (c.choices[0]?.delta.content) chunks++;
      finish = c.choices[0]?.finish_reason ?? finish;
      usage = c.usage ?? usage;
    }
    assert.ok(chunks >= 1);
    assert.equal(finish, "length");
    assert.equal(usage?.completion_tokens, 10);
  });

  it("says a local model cannot use tools, with a 400 rather than a failure", async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "benih-test",
        messages: [{ role: "user", content: "x" }],
        tools: [{ type: "function", function: { name: "f" } }],
      }),
    });
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, "unsupported_by_model");
    assert.match(error.message, /does not support tool calling/);
  });

  it("is still answered by the web app's default assistant, which offers its calculator: asked again without tools", async () => {
    const post = async (path: string, body: unknown) =>
      fetch(server.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const agents = (await (await fetch(`${server.url}/v1/agents`)).json()) as {
      data: Array<{ id: string; skills: string[]; toolUse: boolean }>;
    };
    const assistant = agents.data.find((a) => a.id === "benih")!;
    assert.deepEqual([assistant.skills, assistant.toolUse], [["calculator"], true]);
    const conv = (await (await post("/v1/conversations", { model: "benih-test", agent: "benih" })).json()) as { id: string };
    const streamed = await (await post(`/v1/conversations/${conv.id}/messages`, { content: "what is 37 plus 48" })).text();
    assert.doesNotMatch(streamed, /unsupported_by_model/);
    const kept = (await (await fetch(`${server.url}/v1/conversations/${conv.id}`)).json()) as {
      messages: Array<{ role: string; status: string; content: string }>;
    };
    const answer = kept.messages.at(-1)!;
    assert.equal(answer.role, "assistant");
    // Done, not failed (this model's weights are random: what it says, if anything, is not the point).
    assert.equal(answer.status, "done", JSON.stringify(answer));
  });

  it("refuses a prompt longer than the model's context (400 context_length_exceeded, as OpenAI), before tokenising one that cannot fit", async () => {
    const ask = async (content: string) => {
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "benih-test", messages: [{ role: "user", content }] }),
      });
      return { status: res.status, error: ((await res.json()) as { error: { code: string; message: string } }).error };
    };
    // Far over: refused from its length in bytes alone ("at least").
    const far = await ask("seed ".repeat(200_000));
    assert.equal(far.status, 400);
    assert.equal(far.error.code, "context_length_exceeded");
    assert.match(far.error.message, /the prompt is at least \d+ tokens \(1000000 bytes\); model benih-test has a context of \d+/);
    // Just over: counted exactly.
    const context = Number(/context of (\d+)/.exec(far.error.message)![1]);
    const near = await ask("seed ".repeat(context));
    assert.equal(near.status, 400);
    assert.match(near.error.message, /the prompt is \d+ tokens; model benih-test has a context of/);
  });
});

describe("binding beyond loopback", () => {
  it("requires API keys, and refuses to start with auth switched off", async () => {
    await assert.rejects(startServer({ yaml: "server:\n  host: 0.0.0.0\nauth:\n  required: false\n" }), /beyond loopback/);
    const open = await startServer({ yaml: "server:\n  host: 0.0.0.0\n" });
    try {
      assert.equal(open.authRequired, true);
      const res = await fetch(`${open.url.replace("0.0.0.0", "127.0.0.1")}/v1/models`);
      assert.equal(res.status, 401);
    } finally {
      await open.close();
    }
  });
});
