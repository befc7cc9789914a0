// bench:local — tokens/s of a local GGUF model served through benih's OpenAI API (streaming over HTTP, a separate
// server process), against node-llama-cpp called directly in this process on the same file with the same
// settings. Target: ≥ 0.95. Rounds alternate direct and API so machine drift falls on both.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TensorType, writeTestModel, type LlamaConfig } from "@benih/gguf";
import { getLlama, LlamaChat, LlamaLogLevel, resolveChatWrapper, type ChatWrapper, type LlamaContextSequence } from "node-llama-cpp";
import { loadConfig } from "../../apps/server/src/config/load.ts";
import { freePort, startProcess, stop } from "../lib/processes.ts";

const TOKENS = Number(process.env.BENCH_TOKENS ?? 256);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const root = fileURLToPath(new URL("../..", import.meta.url));
const prompt = "Tell me a long story about a seed that grows into a tree.";
// The server runs with the config a fresh clone has, whose markets serve only the models they allow: the bench
// model takes the name of the model the loopback market serves by default, so it is allowed without editing.
const { config } = loadConfig(); // as the server it starts reads it: same directory, same environment
const modelId = config.markets.find((m) => m.hosts.includes("127.0.0.1"))?.defaults.chat ?? "bench";

// Three sizes: the tiny scale benih trains itself (thousands of tokens a second, so per-token serving costs show
// most), and two larger ones nearer what people serve, where the model's own work dominates. F16 keeps the
// medium file under the size at which the server would give llama.cpp more than one thread.
type Size = { name: string; tokens: number; type: TensorType; config: Omit<LlamaConfig, "vocab"> };
const sizes: Size[] = [
  {
    name: "tiny (d64 L2)",
    tokens: TOKENS,
    type: TensorType.F32,
    config: { dim: 64, layers: 2, heads: 4, kvHeads: 2, ff: 192, contextLength: 1024 },
  },
  {
    name: "small (d512 L8)",
    tokens: TOKENS,
    type: TensorType.F32,
    config: { dim: 512, layers: 8, heads: 8, kvHeads: 4, ff: 1536, contextLength: 1024 },
  },
  {
    name: "medium (d1024 L8 F16)",
    tokens: 64,
    type: TensorType.F16,
    config: { dim: 1024, layers: 8, heads: 16, kvHeads: 4, ff: 2816, contextLength: 1024 },
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A lean client (node:http, no per-chunk parsing), so its own work competes little with the server. */
function post(port: number, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD = "true";
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });

/** The fastest direct use found: the chat wrapper resolved once, a fresh LlamaChat per answer. */
async function answer(contextSequence: LlamaContextSequence, chatWrapper: ChatWrapper, maxTokens: number) {
  const chat = new LlamaChat({ contextSequence, chatWrapper });
  try {
    return await chat.generateResponse(
      [
        { type: "user", text: prompt },
        { type: "model", response: [] },
      ],
      {
        maxTokens,
        temperature: 0,
        onTextChunk: () => {},
      },
    );
  } finally {
    chat.dispose();
  }
}

/** Weights whose greedy answer runs the full length, so both sides generate exactly `tokens` tokens. */
async function modelRunningFullLength(size: Size, file: string) {
  for (let seed = 1; seed < 50; seed++) {
    writeFileSync(file, writeTestModel({ name: "bench", seed, type: size.type, config: size.config }));
    const model = await llama.loadModel({ modelPath: file });
    const ctx = await model.createContext({ threads: 1, sequences: 1, contextSize: 1024 });
    const sequence = ctx.getSequence();
    const chatWrapper = resolveChatWrapper(model);
    const r = await answer(sequence, chatWrapper, size.tokens);
    if (r.metadata.stopReason === "maxTokens") return { model, ctx, sequence, chatWrapper };
    await ctx.dispose();
    await model.dispose();
  }
  throw new Error("no seed gave a full-length answer");
}

const dir = mkdtempSync(join(tmpdir(), "benih-bench-local-"));
try {
  console.log(`bench:local — greedy, 1 thread, median of ${ROUNDS} alternating rounds\n`);
  for (const size of sizes) {
    const file = join(dir, `${modelId}.gguf`);
    const { sequence, chatWrapper, ctx, model } = await modelRunningFullLength(size, file);
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
      const r = await answer(sequence, chatWrapper, size.tokens);
      if (r.metadata.stopReason !== "maxTokens") throw new Error("direct answer stopped early");
      return size.tokens / ((performance.now() - t0) / 1000);
    };
    const api = async () => {
      const t0 = performance.now();
      const text = await post(
        port,
        JSON.stringify({
          model: modelId,
          messages: [{ role: "user", content: prompt }],
          stream: true,
          max_tokens: size.tokens,
          temperature: 0,
          stream_options: { include_usage: true },
        }),
      );
      const usage = JSON.parse(text.slice(text.lastIndexOf('data: {"id"') + 6, text.lastIndexOf("\n\ndata: [DONE]"))).usage;
      if (usage.completion_tokens !== size.tokens) throw new Error(`API answer had ${usage.completion_tokens} tokens`);
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
    await ctx.dispose();
    await model.dispose();
    const ratio = median(a) / median(d);
    console.log(
      `${size.name.padEnd(22)} ${String(size.tokens).padStart(3)} tokens   direct ${median(d).toFixed(0).padStart(5)} tok/s   through benih ${median(a).toFixed(0).padStart(5)} tok/s   ratio ${ratio.toFixed(3)} (target ≥ 0.95: ${ratio >= 0.95 ? "met" : "NOT met"})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await llama.dispose();
}
