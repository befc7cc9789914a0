// bench:local — tokens/s of a local GGUF model served through benih's OpenAI API (streaming over HTTP), against
// node-llama-cpp called directly in this process on the same file with the same settings. Target: ≥ 0.95.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeTestModel } from "@benih/gguf";
import { getLlama, LlamaChat, LlamaLogLevel } from "node-llama-cpp";
import { freePort, startProcess, stop } from "../lib/processes.ts";

const MAX_TOKENS = Number(process.env.BENCH_TOKENS ?? 256);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const root = fileURLToPath(new URL("../..", import.meta.url));
const prompt = "Tell me a long story about a seed that grows into a tree.";

// Two sizes: the tiny scale benih trains itself, and a larger one where per-token work dominates.
const sizes = [
  { name: "tiny (d64 L2)", config: { dim: 64, layers: 2, heads: 4, kvHeads: 2, ff: 192, contextLength: 1024 } },
  { name: "small (d512 L8)", config: { dim: 512, layers: 8, heads: 8, kvHeads: 4, ff: 1536, contextLength: 1024 } },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = mkdtempSync(join(tmpdir(), "benih-bench-local-"));
process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD = "true";
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });

/** A seed whose greedy answer runs the full length, so both sides generate exactly MAX_TOKENS tokens. */
async function modelRunningFullLength(config: (typeof sizes)[number]["config"], file: string) {
  for (let seed = 1; seed < 50; seed++) {
    writeFileSync(file, writeTestModel({ name: "bench", seed, config }));
    const model = await llama.loadModel({ modelPath: file });
    const ctx = await model.createContext({ threads: 1, sequences: 1, contextSize: 1024 });
    const chat = new LlamaChat({ contextSequence: ctx.getSequence() });
    const r = await chat.generateResponse([{ type: "user", text: prompt }, { type: "model", response: [] }], { maxTokens: MAX_TOKENS, temperature: 0 });
    if (r.metadata.stopReason === "maxTokens") return { model, ctx, chat };
    await ctx.dispose();
    await model.dispose();
  }
  throw new Error("no seed gave a full-length answer");
}

try {
  console.log(`bench:local — ${MAX_TOKENS} tokens per answer, greedy, 1 thread, median of ${ROUNDS} rounds each\n`);
  for (const size of sizes) {
    const file = join(dir, "bench.gguf");
    const { chat } = await modelRunningFullLength(size.config, file);
    const port = await freePort();
    const server = await startProcess(
      "benih",
      process.execPath,
      [join(root, "apps/server/bin/benih.mjs"), "serve", "--port", String(port)],
      `http://127.0.0.1:${port}/health`,
      { BENIH_DATA_DIR: join(dir, "data"), BENIH_MODELS_DIR: dir, LOG_LEVEL: "warn" },
    );
    const direct = async () => {
      const t0 = performance.now();
      let chunks = 0;
      const r = await chat.generateResponse([{ type: "user", text: prompt }, { type: "model", response: [] }], {
        maxTokens: MAX_TOKENS,
        temperature: 0,
        onTextChunk: () => chunks++,
      });
      if (r.metadata.stopReason !== "maxTokens") throw new Error("direct answer stopped early");
      return MAX_TOKENS / ((performance.now() - t0) / 1000);
    };
    const api = async () => {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "bench", messages: [{ role: "user", content: prompt }], stream: true, max_tokens: MAX_TOKENS, temperature: 0, stream_options: { include_usage: true } }),
      });
      const text = await res.text();
      const usage = JSON.parse(text.split("\n\n").filter((l) => l.includes('"usage":{')).at(-1)!.slice(6)).usage;
      if (usage.completion_tokens !== MAX_TOKENS) throw new Error(`API answer had ${usage.completion_tokens} tokens`);
      return usage.completion_tokens / ((performance.now() - t0) / 1000);
    };
    await direct();
    await api(); // warm-up both
    const d: number[] = [];
    const a: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      d.push(await direct());
      a.push(await api());
    }
    stop(server);
    const ratio = median(a) / median(d);
    console.log(`${size.name.padEnd(18)} direct ${median(d).toFixed(0).padStart(6)} tok/s   through benih ${median(a).toFixed(0).padStart(6)} tok/s   ratio ${ratio.toFixed(3)} (target ≥ 0.95: ${ratio >= 0.95 ? "met" : "NOT met"})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await llama.dispose();
}
