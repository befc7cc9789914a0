// bench:trainer — the tiny recipe's training throughput as model FLOP/s (PaLM's count, see measure()), against this
// machine's peak matmul FLOP/s: the faster of onnxruntime's MatMul and the C++ engine's own GEMM, both measured in
// the same run on 2 threads. Target: ≥ 50%. Also full fine-tuning against LoRA on the same base.
import { randomLlamaWeights } from "@benih/gguf";
import {
  buildDataset,
  flatten,
  parameterCount,
  pickEngine,
  prepare,
  tinyLoraRecipe,
  tinyRecipe,
  TrainingRun,
  type BaseModel,
  type EngineChoice,
  type Recipe,
} from "@benih/trainer";
import { benchDependency } from "../lib/bench-dependency.ts";
import { matmulModel } from "../lib/onnx-matmul.ts";

type OrtTensor = unknown;
interface Ort {
  InferenceSession: {
    create(
      model: Uint8Array,
      options: { intraOpNumThreads: number; interOpNumThreads: number },
    ): Promise<{
      run(feeds: Record<string, OrtTensor>): Promise<unknown>;
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: "float32", data: Float32Array, dims: number[]) => OrtTensor;
}
const { InferenceSession, Tensor } = benchDependency<Ort>("onnxruntime-node", "1.30.0");

const STEPS = Number(process.env.BENCH_STEPS ?? 8);

const SIZES = [256, 512, 1024];

/** Best of 5 timings of `reps` calls, as GFLOP/s of an n³ matmul. */
async function bestGflops(n: number, call: () => unknown): Promise<number> {
  for (let i = 0; i < 3; i++) await call();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const reps = Math.max(1, Math.round(2e9 / (2 * n ** 3)));
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await call();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

const square = (n: number, k: number, m: number) => Float32Array.from({ length: n * n }, (_, i) => ((i * k) % m) / m);

async function onnxMatmul(): Promise<{ n: number; gflops: number }[]> {
  const out = [];
  for (const n of SIZES) {
    const session = await InferenceSession.create(matmulModel(n, n, n), { intraOpNumThreads: 2, interOpNumThreads: 1 });
    const a = new Tensor(
      "float32",
      Float32Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) / 13),
      [n, n],
    );
    const b = new Tensor(
      "float32",
      Float32Array.from({ length: n * n }, (_, i) => ((i * 5) % 11) / 11),
      [n, n],
    );
    out.push({ n, gflops: await bestGflops(n, () => session.run({ A: a, B: b })) });
    await session.release();
  }
  return out;
}

async function engineMatmul(e: EngineChoice): Promise<{ n: number; gflops: number }[]> {
  const addon = e.addon;
  if (!addon) return [];
  const out = [];
  for (const n of SIZES) {
    const [a, b, c] = [square(n, 7, 13), square(n, 5, 11), new Float32Array(n * n)];
    out.push({ n, gflops: await bestGflops(n, () => addon.matmul(a, b, c, n, n, n)) });
  }
  return out;
}

const engine = pickEngine();
const onnx = await onnxMatmul();
const own = await engineMatmul(engine);
const peak = Math.max(...onnx.map((p) => p.gflops), ...own.map((p) => p.gflops));
const prepared = prepare(buildDataset("global"), tinyRecipe);
const config = { ...tinyRecipe.model, vocab: prepared.tokenizer.size };
// The base both fine-tuning rows start from: its weights do not change the step's cost.
const base: BaseModel = {
  name: "bench-base",
  file: "(in memory)",
  sha256: "bench",
  config,
  params: flatten(config, randomLlamaWeights(config, 1)) as Float32Array,
  tokenizer: prepared.tokenizer,
  storedAs: "F32",
};

/**
 * Tokens/s over `steps` steps after one warm-up (the best of three such stretches), and model FLOP/s as PaLM's MFU
 * counts them: per token 6·P for a full step, plus the attention scores and their weighted sum, 12·layers·dim·T
 * (forward and backward, T the training window); for LoRA 4·P (the forward and the gradient through the frozen
 * weights; their own weight gradients are skipped) plus 6 per adapter parameter, and the same attention.
 */
function measure(recipe: Recipe, e: EngineChoice, steps: number, from?: BaseModel) {
  const run = TrainingRun.start(recipe, prepared.tokenizer.size, prepared.train, prepared.hash, e, from);
  run.trainStep();
  // Best of three stretches, as the peak is the best of five: other work on a shared machine only slows a run.
  let tokensPerSecond = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let tokens = 0;
    for (let i = 0; i < steps; i++) tokens += run.trainStep().tokens;
    tokensPerSecond = Math.max(tokensPerSecond, tokens / ((performance.now() - t0) / 1000));
  }
  const params = parameterCount(run.config);
  const attention = 12 * run.config.layers * run.config.dim * recipe.train.seqLen;
  const flopsPerToken = (run.lora ? 4 * params + 6 * run.lora.size : 6 * params) + attention;
  return { params, adapter: run.lora?.size, tokensPerSecond, gflops: (flopsPerToken * tokensPerSecond) / 1e9 };
}

const main = measure(tinyRecipe, engine, STEPS);
const fullFineTune = measure(tinyRecipe, engine, STEPS, base);
const lora = measure(tinyLoraRecipe, engine, STEPS, base);
// The TypeScript kernels, for scale: one step is enough at their speed.
const reference = engine.addon ? measure(tinyRecipe, pickEngine("typescript"), 1) : main;

console.log("bench:trainer\n");
console.log("peak matmul, 2 threads, best of 5 (GFLOP/s):   onnxruntime MatMul   C++ engine GEMM");
for (const [i, p] of onnx.entries())
  console.log(
    `  n = ${String(p.n).padEnd(5)} ${p.gflops.toFixed(1).padStart(34)} ${own[i] ? own[i].gflops.toFixed(1).padStart(17) : "(not built)".padStart(17)}`,
  );
console.log(`  peak: ${peak.toFixed(1)} GFLOP/s`);
const m = tinyRecipe.model;
console.log(
  `\ntiny recipe: ${main.params.toLocaleString("en")} parameters (dim ${m.dim}, ${m.layers} layers), batch ${tinyRecipe.train.batch} × ${tinyRecipe.train.seqLen} tokens, best of 3 × ${STEPS} steps`,
);
console.log(
  `  ${engine.name} engine${engine.fallbackReason ? ` (${engine.fallbackReason})` : ""}: ${main.tokensPerSecond.toFixed(0)} tokens/s, model FLOP/s ${main.gflops.toFixed(2)} G`,
);
if (reference !== main)
  console.log(
    `  typescript engine: ${reference.tokensPerSecond.toFixed(0)} tokens/s (the C++ engine is ${(main.tokensPerSecond / reference.tokensPerSecond).toFixed(0)}× faster)`,
  );
const l = tinyLoraRecipe.lora!;
console.log(`\nfine-tuning the same base (${base.config.dim} dim), ${engine.name} engine:`);
console.log(
  `  full:             ${fullFineTune.tokensPerSecond.toFixed(0).padStart(6)} tokens/s, model FLOP/s ${fullFineTune.gflops.toFixed(2)} G (${((100 * fullFineTune.gflops) / peak).toFixed(1)}% of peak)`,
);
console.log(
  `  LoRA rank ${l.rank}, ${l.targets.length} targets: ${lora.tokensPerSecond.toFixed(0).padStart(6)} tokens/s, model FLOP/s ${lora.gflops.toFixed(2)} G (${((100 * lora.gflops) / peak).toFixed(1)}% of peak); ${lora.adapter!.toLocaleString("en")} trained parameters, ${(lora.tokensPerSecond / fullFineTune.tokensPerSecond).toFixed(2)}× full fine-tuning's tokens/s`,
);
const ratio = main.gflops / peak;
console.log(
  `\nratio: model FLOP/s ÷ peak matmul FLOP/s = ${(100 * ratio).toFixed(2)}% (target ≥ 50%: ${ratio >= 0.5 ? "met" : "NOT met"})`,
);
