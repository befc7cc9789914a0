import { fileURLToPath } from "node:url";
import { LocalExecutor, type AgentOptions } from "@benih/control";

const bin = fileURLToPath(new URL("../bin/benih.mjs", import.meta.url));

/** Trainers as child processes of this one, each running `benih train`. */
export const benihTrainers = () => new LocalExecutor({ file: process.execPath, prefix: [bin] });

/**
 * The `benih train` arguments of a run's attempt, writing into its folder, checkpointing every `every` steps and,
 * once trained, scoring on at most `evalLimit` held-out questions (scores.json, which the agent sends on).
 */
export const trainArgs =
  (every: number, evalLimit = 200): AgentOptions["trainArgs"] =>
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
  ];
