import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { startServer } from "../harness.ts";

// benih's own committed models, served as `npm start` serves them, answering questions phrased in ways their
// training never used (from each market's eval set), through `benih chat`.
const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const modelsDir = fileURLToPath(new URL("../../../../models", import.meta.url));
let server: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  server = await startServer({ env: { BENIH_MODELS_DIR: modelsDir } });
});
after(async () => server.close());

const chat = async (model: string, question: string) =>
  (await run(process.execPath, [bin, "chat", "--url", server.url, "--model", model, "--temperature", "0", question])).stdout.trim();

describe("the committed benih-tiny models", () => {
  it("answer held-out phrasings correctly, each in its market's language", async () => {
    // Each phrasing is one of the held-out templates in packages/trainer/src/datasets/templates.ts.
    // Both adapters are at 94-100% by fact kind (their cards).
    assert.equal(await chat("benih-tiny-global", "What city serves as the capital of Indonesia?"), "Jakarta.");
    assert.equal(await chat("benih-tiny-global", "Do you know the currency of Japan?"), "Japanese Yen.");
    assert.equal(await chat("benih-tiny-global", "Di Indonesia, mata uang apa yang dipakai?"), "Rupiah Indonesia.");
    assert.equal(await chat("benih-tiny-cn", "在日本，首都是哪里？"), "东京。");
    assert.equal(await chat("benih-tiny-cn", "哪座城市是法国的首都？"), "巴黎。");
    assert.equal(await chat("benih-tiny-cn", "德国的法定货币是什么？"), "欧元。");
  });

  it("say who they are", async () => {
    assert.equal(await chat("benih-tiny-global", "Who are you?"), "I am benih, an open-source AI assistant.");
    assert.equal(await chat("benih-tiny-cn", "你是谁？"), "我是benih，一个开源的AI助手。");
  });
});
