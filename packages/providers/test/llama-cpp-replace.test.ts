import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CHATML_PLAIN_TEMPLATE, writeTestModel } from "@benih/gguf";
import { collectStream, createLlamaCpp } from "@benih/providers";
import type { StreamPart } from "@benih/spec";

// A model id served from other files while the server runs (a promotion): requests under way finish on the model
// they started on, later ones get the new one, and files that cannot be served change nothing.
const dir = mkdtempSync(join(tmpdir(), "benih-llama-replace-"));
const [a, b] = [join(dir, "a.gguf"), join(dir, "b.gguf")];
writeFileSync(a, writeTestModel({ seed: 3, chatTemplate: CHATML_PLAIN_TEMPLATE }));
writeFileSync(b, writeTestModel({ seed: 4, chatTemplate: CHATML_PLAIN_TEMPLATE }));
const provider = createLlamaCpp({
  models: [
    { id: "served", path: a },
    { id: "ref-a", path: a },
    { id: "ref-b", path: b },
  ],
});
after(async () => {
  await provider.close?.();
  rmSync(dir, { recursive: true, force: true });
});

const ask = {
  prompt: [{ role: "user" as const, content: [{ type: "text" as const, text: "Hello there" }] }],
  maxOutputTokens: 24,
  temperature: 0,
};
const answer = async (id: string) => JSON.stringify((await collectStream(await provider.chatModel(id).doStream(ask))).content);
/** A stream read to its end, as `answer` gives it; it must end as answers do, not break off. */
async function finish(stream: ReadableStream<StreamPart>): Promise<string> {
  const r = await collectStream({ stream });
  assert.ok(r.finishReason === "length" || r.finishReason === "stop", r.finishReason);
  return JSON.stringify(r.content);
}

describe("replacing what a local model id serves", () => {
  it("lets requests under way finish on the model they started on, and serves the new one to the next", async () => {
    const [fromA, fromB] = [await answer("ref-a"), await answer("ref-b")];
    assert.notEqual(fromA, fromB, "two models that answer apart");
    assert.equal(await answer("served"), fromA);

    const streaming = await provider.chatModel("served").doStream(ask); // started, not yet read
    const waiting = provider.chatModel("served").doStream(ask); // not even started
    await provider.serve({ id: "served", path: b });
    assert.equal(await finish(streaming.stream), fromA, "the answer under way ends on the model it began on");
    await finish((await waiting).stream);
    assert.equal(await answer("served"), fromB);
    assert.equal(provider.served("served")?.path, b);

    await provider.serve({ id: "served", path: a });
    assert.equal(await answer("served"), fromA, "and back");
  });

  it("changes nothing when the new files cannot be served", async () => {
    const broken = join(dir, "broken.gguf");
    writeFileSync(broken, "not a gguf");
    await assert.rejects(provider.serve({ id: "served", path: broken }));
    assert.equal(provider.served("served")?.path, a);
    assert.equal(await answer("served"), await answer("ref-a"));
    await assert.rejects(provider.serve({ id: "nobody", path: a }), /no local model "nobody"/);
  });
});
