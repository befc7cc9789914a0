import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { readCheckpoint } from "@benih/trainer";

/** What a checkpoint file is to the agent and its storage: the step it holds, and whether a copy is whole. */
export interface CheckpointFormat {
  /** The step of the checkpoint at `file`, or -1 when there is none; throws naming the file when it is damaged. */
  stepAt(file: string): number;
  /**
   * The step of `copy`, a copy of the checkpoint `original` (a path or a storage location) made to upload or
   * fetch it; throws, naming what is wrong, unless it is a whole checkpoint.
   */
  verify(copy: string, original: string): number;
}

/** How the agent reads a trainer's run folder: benih's own trainer, or a `command` recipe's (docs/trainers.md). */
export interface TrainerFiles {
  format: CheckpointFormat;
  /** The newest checkpoint the trainer has written into the run folder, if any. */
  newest(dir: string): string | undefined;
  /** Where a checkpoint brought from storage goes in a run folder, for the trainer to resume from. */
  placeOf(dir: string, location: string, step: number): string;
  /**
   * A metrics line that breaks the contract fails the run (a command trainer's: a bug to see at once) rather than
   * being skipped (benih's writes a loss gone to NaN as null).
   */
  strictMetrics: boolean;
  /** What a finished run made to serve (a GGUF model or LoRA adapter in the run folder), if anything. */
  model(dir: string): string | undefined;
}

/** benih's trainer: one `checkpoint.bin`, replaced by rename, its step in its header. */
export const benihTrainerFiles: TrainerFiles = {
  format: {
    stepAt: (file) => (existsSync(file) ? readCheckpoint(file).header.step : -1),
    verify: (copy) => readCheckpoint(copy).header.step,
  },
  newest: (dir) => (existsSync(join(dir, "checkpoint.bin")) ? join(dir, "checkpoint.bin") : undefined),
  placeOf: (dir) => join(dir, "checkpoint.bin"),
  strictMetrics: false,
  // `benih train` names its GGUF after the dataset, recipe and day: the newest one is this attempt's.
  model(dir) {
    const ggufs = readdirSync(dir)
      .filter((f) => f.endsWith(".gguf"))
      .map((f) => ({ path: join(dir, f), at: statSync(join(dir, f)).mtimeMs }));
    return ggufs.sort((a, b) => b.at - a.at)[0]?.path;
  },
};

/**
 * A command trainer's checkpoint: `checkpoints/step-<N>` with at most one extension (`step-1200.pt`), written under
 * another name (`step-1200.pt.partial`, which this does not match) and renamed in.
 */
const STEP_FILE = /^step-(\d{1,12})(\.[A-Za-z0-9_-]{1,16})?$/;

function stepInName(file: string): number {
  const m = STEP_FILE.exec(basename(file));
  if (!m) throw new Error(`${file} is not named as a checkpoint (step-<N>, any extension)`);
  return Number(m[1]);
}

/** Whether a file name is a command trainer's checkpoint name: it keeps it in storage too. */
export const isStepFile = (name: string) => STEP_FILE.test(name);

export const commandTrainerFiles: TrainerFiles = {
  format: {
    stepAt: (file) => (existsSync(file) ? stepInName(file) : -1),
    verify(copy, original) {
      const step = stepInName(original);
      if (!statSync(copy).size) throw new Error(`checkpoint ${original} is empty`);
      return step;
    },
  },
  newest(dir) {
    const folder = join(dir, "checkpoints");
    if (!existsSync(folder)) return undefined;
    let best: { step: number; name: string } | undefined;
    for (const name of readdirSync(folder)) {
      const m = STEP_FILE.exec(name);
      if (m && (!best || Number(m[1]) > best.step)) best = { step: Number(m[1]), name };
    }
    return best && join(folder, best.name);
  },
  placeOf(dir, location, step) {
    const name = basename(location);
    return join(dir, "checkpoints", STEP_FILE.test(name) ? name : `step-${step}`);
  },
  strictMetrics: true,
  model: (dir) => (existsSync(join(dir, "model.gguf")) ? join(dir, "model.gguf") : undefined),
};
