import { fileURLToPath } from "node:url";
import { LocalExecutor, type AgentOptions } from "@benih/control";

const bin = fileURLToPath(new URL("../bin/benih.mjs", import.meta.url));

/** Trainers as child processes of this one, each running `benih train`. */
export const benihTrainers = () => new LocalExecutor({ file: process.execPath, prefix: [bin] });

/** The `benih train` arguments of a run's attempt, writing into its folder and checkpointing every `every` steps. */
export const trainArgs =
  (every: number): AgentOptions["trainArgs"] =>
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
  ];
