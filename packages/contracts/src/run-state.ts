import { z } from "zod";

/**
 * A training run's life: queued → placed → running ⇄ paused → succeeded | failed | stopped. A run whose agent
 * goes silent is lost, and is placed again (resumed from its last checkpoint) by another eligible agent.
 */
export const runState = z.enum(["queued", "placed", "running", "paused", "lost", "succeeded", "failed", "stopped"]);
export type RunState = z.infer<typeof runState>;

/** What an operator may ask of a run. */
export const runCommand = z.enum(["pause", "resume", "stop", "checkpoint"]);
export type RunCommand = z.infer<typeof runCommand>;

const next: Record<RunState, readonly RunState[]> = {
  queued: ["placed", "stopped"],
  placed: ["running", "lost", "failed", "stopped"],
  running: ["paused", "succeeded", "failed", "stopped", "lost"],
  // Resuming places the run again: its node was freed when it paused.
  paused: ["placed", "stopped"],
  lost: ["placed", "failed", "stopped"],
  succeeded: [],
  failed: [],
  stopped: [],
};

export const isFinished = (s: RunState) => next[s].length === 0;

/** Why a run may not move from one state to another, or undefined when it may. */
export function transitionRefusal(from: RunState, to: RunState): string | undefined {
  return next[from].includes(to) ? undefined : `a ${from} run cannot become ${to}`;
}

const accepts: Record<RunCommand, readonly RunState[]> = {
  pause: ["running"],
  resume: ["paused"],
  stop: ["queued", "placed", "running", "paused", "lost"],
  checkpoint: ["running"],
};

/** Why a command does not apply to a run in this state (answered with 409), or undefined when it does. */
export function commandRefusal(runId: string, state: RunState, command: RunCommand): string | undefined {
  if (accepts[command].includes(state)) return undefined;
  if (isFinished(state)) return `run ${runId} has ${state === "stopped" ? "been stopped" : state}: it takes no more commands`;
  return `${command} needs a run that is ${accepts[command].join(" or ")}; run ${runId} is ${state}`;
}
