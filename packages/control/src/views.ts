import type { CheckpointView, PlacementDecision, RunEventView, RunState, RunView } from "@benih/contracts";
import type { TrainingStore } from "@benih/store";

type RunRow = NonNullable<Awaited<ReturnType<TrainingStore["getRun"]>>>;
type EventRow = Awaited<ReturnType<TrainingStore["events"]>>[number];
type CheckpointRow = Awaited<ReturnType<TrainingStore["checkpoints"]>>[number];

// Store rows → the views the admin API returns. The store writes only states the run-state machine allows.

export const runView = (r: RunRow): RunView => ({
  id: r.id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  recipe: r.recipe,
  dataset: r.dataset,
  market: r.market,
  state: r.state as RunState,
  steps: r.steps,
  step: r.step,
  cluster: r.cluster,
  node: r.node,
  accelerator: r.accelerator,
  requestedAccelerator: r.requested_accelerator,
  accelerators: r.accelerators,
  placement: JSON.parse(r.placement) as PlacementDecision,
});

export const runEventView = (e: EventRow): RunEventView => ({
  seq: e.seq,
  at: e.at,
  fromState: e.from_state as RunState | null,
  toState: e.to_state as RunState,
  reason: e.reason,
});

export const checkpointView = (c: CheckpointRow): CheckpointView => ({ step: c.step, at: c.at, location: c.location, bytes: c.bytes });
