import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalExecutor, type AgentOptions } from "@benih/control";
import { recipes } from "@benih/trainer";

const bin = fileURLToPath(new URL("../bin/benih.mjs", import.meta.url));

/** Trainers as child processes of this one, each running `benih train`. */
export const benihTrainers = () => new LocalExecutor({ file: process.execPath, prefix: [bin] });

/**
 * The `benih train` arguments of a run's attempt, writing into its folder, checkpointing every `every` steps and,
 * once trained, scoring on at most `evalLimit` held-out questions (scores.json, which the agent sends on). A LoRA
 * recipe adapts its family's base from the region's models folder (BENIH_MODELS_DIR, else ./models), as shipped.
 */
export const trainArgs =
  (every: number, evalLimit = 200, modelsDir = process.env.BENIH_MODELS_DIR ?? "models"): AgentOptions["trainArgs"] =>
  (c, dir) => [
    "train",
    "--recipe",
    c.recipe,
    "--dataset",
    c.source,
    "--steps",
    String(c.steps),
    "--out",
    dir,
    "--checkpoint-every",
    String(every),
    "--eval-limit",
    String(evalLimit),
    ...baseOf(c.recipe, modelsDir),
  ];

function baseOf(recipe: string, modelsDir: string): string[] {
  const r = recipes[recipe as keyof typeof recipes];
  return r?.lora ? ["--from", resolve(modelsDir, `benih-${r.family ?? r.name}-base.gguf`)] : [];
}
