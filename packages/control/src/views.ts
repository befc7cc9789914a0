import type { CheckpointView, PlacementDecision, RunEventView, RunState, RunView } from "@benih/contracts";
import type { TrainingStore } from "@benih/store";
import { PlacementGroups } from "./placement.ts";

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
  placement: placementView(r.placement),
  tags: JSON.parse(r.tags) as string[],
  note: r.note,
});

/** A stored placement; one stored before decisions grouped clusters by reason (one entry per cluster) is grouped now. */
export function placementView(json: string): PlacementDecision {
  const d = JSON.parse(json) as PlacementDecision & { candidates?: Array<{ cluster: string; reasons: string[] }> };
  if (!d.candidates) return d;
  const groups = new PlacementGroups();
  for (const c of d.candidates) groups.add(c.cluster, c.reasons);
  return groups.decision(d.placed, d.summary);
}

export const runEventView = (e: EventRow): RunEventView => ({
  seq: e.seq,
  at: e.at,
  fromState: e.from_state as RunState | null,
  toState: e.to_state as RunState,
  reason: e.reason,
});

export const checkpointView = (c: CheckpointRow): CheckpointView => ({ step: c.step, at: c.at, location: c.location, bytes: c.bytes });
