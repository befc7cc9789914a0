import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { llamaToGguf, loraAdapterToGguf, readLlamaGguf, seededRandom, writeTestModel } from "@benih/gguf";
import { flatten, LoraLayout, unflatten } from "@benih/trainer";
import OpenAI from "openai";
import { startServer } from "./harness.ts";

// A market's model as "base + that market's adapter": the adapter file beside its base in models/ is served as a
// model of its own, computing what the base with the adapter merged in computes.
let server: Awaited<ReturnType<typeof startServer>>;
let client: OpenAI;
let modelsDir: string;

before(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), "benih-lora-models-"));
  const baseBytes = writeTestModel({ seed: 9, name: "benih-test-base" });
  const base = readLlamaGguf(baseBytes, "base");
  const layout = new LoraLayout(base.config, { rank: 4, alpha: 8, targets: ["wq", "wk", "wv", "wo", "gate", "up", "down"] });
  const adapter = layout.init(1);
  const rnd = seededRandom(2);
  for (const s of layout.slots) for (let i = 0; i < s.rows * 4; i++) adapter[s.b + i] = (rnd() * 2 - 1) * 0.5;
  const sha256 = createHash("sha256").update(baseBytes).digest("hex");
  const adapterFile = (name: string, baseName: string, baseSha: string) =>
    loraAdapterToGguf({
      name,
      architecture: "llama",
      rank: 4,
      alpha: 8,
      base: { name: baseName, sha256: baseSha },
      pairs: layout.pairs(adapter),
    });
  const baseParams = flatten(base.config, base.weights);
  const merged = new Float32Array(baseParams.length);
  layout.merge(baseParams, adapter, merged);
  writeFileSync(join(modelsDir, "benih-test-base.gguf"), baseBytes);
  writeFileSync(join(modelsDir, "benih-test-cn.gguf"), adapterFile("benih-test-cn", "benih-test-base", sha256));
  writeFileSync(
    join(modelsDir, "benih-test-merged.gguf"),
    llamaToGguf({ name: "benih-test-merged", config: base.config, weights: unflatten(base.config, merged), tokenizer: base.tokenizer }),
  );
  // Named after the base, but trained on other weights (the base was retrained since).
  writeFileSync(join(modelsDir, "benih-test-stale.gguf"), adapterFile("benih-test-stale", "benih-test-base", "0".repeat(64)));
  // Its base is not in the folder.
  writeFileSync(join(modelsDir, "benih-test-orphan.gguf"), adapterFile("benih-test-orphan", "benih-other-base", sha256));
  server = await startServer({ env: { BENIH_MODELS_DIR: modelsDir } });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: (await server.store.apiKeys.create("sdk")).key, maxRetries: 0 });
});
after(async () => {
  await server?.close();
  rmSync(modelsDir, { recursive: true, force: true });
});

const answer = async (model: string) =>
  (
    await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "What is the capital of Indonesia?" }],
      max_tokens: 12,
      temperature: 0,
    })
  ).choices[0]!.message.content;

describe("LoRA adapters served on their base", () => {
  it("lists the adapter as a model, and not one whose base is missing", async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids.sort(), ["benih-test-base", "benih-test-cn", "benih-test-merged", "benih-test-stale"]);
  });

  it("answers through the OpenAI API as the merged model does, not as the base", async () => {
    const [adapted, merged, base] = [await answer("benih-test-cn"), await answer("benih-test-merged"), await answer("benih-test-base")];
    assert.ok(adapted && adapted.length > 0);
    assert.equal(adapted, merged);
    assert.notEqual(adapted, base);
  });

  it("refuses an adapter trained on other base weights, naming the file and the problem", async () => {
    const err = await answer("benih-test-stale").then(
      () => assert.fail("answered"),
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    );
    assert.match(
      String(err.message),
      /benih-test-stale\.gguf is a LoRA adapter for another version of benih-test-base \(sha256 000000000000…\); .*benih-test-base\.gguf has sha256 [0-9a-f]{12}…/,
    );
  });
});
