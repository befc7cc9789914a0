import type { CommandTrainer } from "@benih/contracts";

/** One attempt at a run, as the agent hands it to an executor: what trains, and where it writes. */
export interface TrainSpec {
  runId: string;
  /** The run's n-th start: names the attempt's log file and, on Kubernetes, its Job. */
  attempt: number;
  /** The run folder in the region's storage: checkpoint, metrics and the attempt's log land here. */
  dir: string;
  /** The `benih train …` arguments (without the `benih` itself), for benih's own trainer. */
  args: string[];
  /** A command recipe's trainer, run instead of benih's (docs/trainers.md). */
  trainer?: CommandTrainer;
  /** The trainer contract's environment (BENIH_RUN_DIR, BENIH_DATASET, …), for either. */
  env: Record<string, string>;
  node: string;
  accelerator: string;
  count: number;
}

export interface Execution {
  /** Asks the trainer to write a checkpoint after the current step and go on. */
  checkpoint(): Promise<void>;
  /** Asks the trainer to checkpoint and exit 0 (pause and stop). */
  finish(): Promise<void>;
  /** Ends it at once, without a checkpoint: the run moved to another agent. */
  kill(): Promise<void>;
  /** Brings the trainer's new output into the attempt's log file (where the executor cannot stream it). */
  collectLogs?(): Promise<void>;
  /** Settles when the trainer has ended: its exit code (null when it was killed) and, if it failed, why. */
  readonly ended: Promise<{ code: number | null; detail: string }>;
}

/** Runs trainers somewhere in the region: child processes here, or Kubernetes Jobs. */
export interface Executor {
  readonly kind: string;
  start(spec: TrainSpec): Promise<Execution>;
}

export const logFileOf = (spec: Pick<TrainSpec, "attempt">) => `train-${spec.attempt}.log`;
