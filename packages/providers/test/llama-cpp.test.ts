import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CHATML_PLAIN_TEMPLATE, TensorType, writeTestModel } from "@benih/gguf";
import { collectStream, createLlamaCpp } from "@benih/providers";
import type { StreamPart } from "@benih/spec";

// llama.cpp (through node-llama-cpp) on GGUF files written by benih's own writer.
const dir = mkdtempSync(join(tmpdir(), "benih-llama-"));
const paths = {
  f32: join(dir, "tiny-f32.gguf"),
  f16: join(dir, "tiny-f16.gguf"),
  q8: join(dir, "tiny-q8.gguf"),
};
// "tiny" has the plain ChatML template, without tool calls (llama-cpp-tools.test.ts has a model with them).
writeFileSync(paths.f32, writeTestModel({ seed: 3, chatTemplate: CHATML_PLAIN_TEMPLATE }));
writeFileSync(paths.f16, writeTestModel({ seed: 3, type: TensorType.F16 }));
writeFileSync(paths.q8, writeTestModel({ seed: 3, type: TensorType.Q8_0 }));

const provider = createLlamaCpp({
  models: [
    { id: "tiny", path: paths.f32, sequences: 2 },
    { id: "tiny-f16", path: paths.f16 },
    { id: "tiny-q8", path: paths.q8 },
  ],
});
const user = (text: string) => [{ role: "user" as const, content: [{ type: "text" as const, text }] }];

async function parts(stream: ReadableStream<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of stream as unknown as AsyncIterable<StreamPart>) out.push(p);
  return out;
}

before(async () => provider.preload());
after(async () => {
  await provider.close?.();
  rmSync(dir, { recursive: true, force: true });
});

describe("llama-cpp provider", () => {
  it("streams text deltas and finishes with usage, stopping at max tokens", async () => {
    const { stream } = await provider.chatModel("tiny").doStream({ prompt: user("Hello"), maxOutputTokens: 12, seed: 1, temperature: 0.8 });
    const all = await parts(stream);
    const deltas = all.filter((p) => p.type === "text-delta");
    assert.ok(deltas.length >= 1, "streamed in pieces");
    const finish = all.at(-1)!;
    assert.equal(finish.type, "finish");
    if (finish.type !== "finish") return;
    assert.equal(finish.finishReason, "length");
    assert.equal(finish.usage.outputTokens, 12);
    // ChatML framing: <|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n, byte-level tokens.
    assert.ok(finish.usage.inputTokens! > 10, `input tokens counted (${finish.usage.inputTokens})`);
  });

  it("is deterministic for a given seed, and differs across seeds", async () => {
    const run = async (seed: number) =>
      collectStream(await provider.chatModel("tiny").doStream({ prompt: user("Hi"), maxOutputTokens: 16, seed, temperature: 1 }));
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    assert.deepEqual(a.content, b.content);
    assert.notDeepEqual(a.content, c.content);
  });

  it("loads F16 and Q8_0 files from the writer, and their greedy output matches F32's first token", async () => {
    const first = async (id: string) => {
      const r = await provider.chatModel(id).doGenerate({ prompt: user("Hi"), maxOutputTokens: 1, temperature: 0 });
      return r.content[0]?.type === "text" ? r.content[0].text : "";
    };
    const [f32, f16] = [await first("tiny"), await first("tiny-f16")];
    assert.equal(f16, f32, "F16 rounding does not change the argmax of this model");
    const q8 = await provider.chatModel("tiny-q8").doGenerate({ prompt: user("Hi"), maxOutputTokens: 4 });
    assert.equal(q8.usage.outputTokens, 4);
  });

  it("runs more requests than sequences at once, queueing the rest", async () => {
    const model = provider.chatModel("tiny");
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(async (seed) => collectStream(await model.doStream({ prompt: user(`Q${seed}`), maxOutputTokens: 8, seed }))),
    );
    for (const r of results) assert.equal(r.usage.outputTokens, 8);
  });

  it("stops generating when aborted, and the sequence is free again", async () => {
    const ac = new AbortController();
    const { stream } = await provider.chatModel("tiny").doStream({ prompt: user("Go"), maxOutputTokens: 400, abortSignal: ac.signal });
    const reader = stream.getReader();
    await reader.read();
    ac.abort();
    let last: StreamPart | undefined;
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      last = r.value;
    }
    // It ends promptly: either finished early or with an "aborted" failure, never by running to 400 tokens.
    if (last?.type === "finish") assert.ok(last.usage.outputTokens! < 400);
    else assert.equal(last?.type === "error" && (last.error as { kind?: string }).kind, "aborted");
    // Both sequences must be usable after the abort.
    const again = await Promise.all(
      [1, 2].map(async () => collectStream(await provider.chatModel("tiny").doStream({ prompt: user("x"), maxOutputTokens: 3 }))),
    );
    assert.equal(again.length, 2);
  });

  it("constrains output to JSON in JSON mode", async () => {
    const r = await provider.chatModel("tiny").doGenerate({
      prompt: user("json"),
      maxOutputTokens: 60,
      temperature: 0,
      responseFormat: { type: "json", schema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } },
    });
    const text = r.content[0]?.type === "text" ? r.content[0].text : "";
    assert.deepEqual(Object.keys(JSON.parse(text)), ["ok"]);
  });

  it("refuses tools (its template does not render them) and images with an 'unsupported' failure the gateway can fall back on", async () => {
    await assert.rejects(
      provider.chatModel("tiny").doStream({ prompt: user("x"), tools: [{ type: "function", name: "f", inputSchema: {} }] }),
      (e: { kind?: string }) => e.kind === "unsupported",
    );
    await assert.rejects(
      provider.chatModel("tiny").doStream({ prompt: [{ role: "user", content: [{ type: "image", url: "data:image/png;base64,AA==" }] }] }),
      (e: { kind?: string }) => e.kind === "unsupported",
    );
  });

  it("lists its models", async () => {
    const ids = (await provider.listModels!()).map((m) => m.id);
    assert.deepEqual(ids, ["tiny", "tiny-f16", "tiny-q8"]);
  });
});
