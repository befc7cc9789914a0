// bench:trainer — the tiny recipe's training throughput as model FLOP/s (6 × parameters × tokens/s), against this
// machine's peak matmul FLOP/s measured in the same run with onnxruntime's MatMul on 2 threads. Target: ≥ 30%.
import { buildDataset, parameterCount, pickEngine, prepare, tinyRecipe, TrainingRun, type EngineChoice } from "@benih/trainer";
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

async function peakMatmul(): Promise<{ n: number; gflops: number }[]> {
  const out = [];
  for (const n of [256, 512, 1024]) {
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
    for (let i = 0; i < 3; i++) await session.run({ A: a, B: b });
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const reps = Math.max(1, Math.round(2e9 / (2 * n ** 3)));
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) await session.run({ A: a, B: b });
      best = Math.min(best, (performance.now() - t0) / reps);
    }
    out.push({ n, gflops: (2 * n ** 3) / (best / 1000) / 1e9 });
    await session.release();
  }
  return out;
}

const peaks = await peakMatmul();
const peak = Math.max(...peaks.map((p) => p.gflops));
const prepared = prepare(buildDataset("global"), tinyRecipe);

function measure(engine: EngineChoice, steps: number) {
  const run = TrainingRun.start(tinyRecipe, prepared.tokenizer.size, prepared.train, prepared.hash, engine);
  run.trainStep(); // warm-up
  const t0 = performance.now();
  let tokens = 0;
  for (let i = 0; i < steps; i++) tokens += run.trainStep().tokens;
  const tokensPerSecond = tokens / ((performance.now() - t0) / 1000);
  const params = parameterCount(run.config);
  return { params, tokensPerSecond, gflops: (6 * params * tokensPerSecond) / 1e9 };
}

const engine = pickEngine();
const main = measure(engine, STEPS);
// The TypeScript kernels, for scale: one step is enough at their speed.
const reference = engine.addon ? measure(pickEngine("typescript"), 1) : main;

console.log("bench:trainer\n");
console.log("peak matmul (onnxruntime MatMul, 2 threads, best of 5):");
for (const p of peaks) console.log(`  n = ${String(p.n).padEnd(5)} ${p.gflops.toFixed(1).padStart(7)} GFLOP/s`);
const m = tinyRecipe.model;
console.log(
  `\ntiny recipe: ${main.params.toLocaleString("en")} parameters (dim ${m.dim}, ${m.layers} layers), batch ${tinyRecipe.train.batch} × ${tinyRecipe.train.seqLen} tokens, ${STEPS} steps`,
);
console.log(
  `  ${engine.name} engine${engine.fallbackReason ? ` (${engine.fallbackReason})` : ""}: ${main.tokensPerSecond.toFixed(0)} tokens/s, model FLOP/s ${main.gflops.toFixed(2)} G`,
);
if (reference !== main)
  console.log(
    `  typescript engine: ${reference.tokensPerSecond.toFixed(0)} tokens/s (the C++ engine is ${(main.tokensPerSecond / reference.tokensPerSecond).toFixed(0)}× faster)`,
  );
const ratio = main.gflops / peak;
console.log(
  `\nratio: model FLOP/s ÷ peak matmul FLOP/s = ${(100 * ratio).toFixed(2)}% (target ≥ 30%: ${ratio >= 0.3 ? "met" : "NOT met"})`,
);
