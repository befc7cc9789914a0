import type { Generated } from "kysely";

export interface TrainingRunsTable {
  id: string;
  created_at: number;
  updated_at: number;
  recipe: string;
  dataset: string;
  market: string;
  /** queued | placed | running | paused | lost | succeeded | failed | stopped */
  state: string;
  /** Steps the run is to reach, and the last step it reported. */
  steps: number;
  step: number;
  cluster: string | null;
  node: string | null;
  /** The accelerator model it runs on now. */
  accelerator: string | null;
  /** What it asked for: a model (null: any the rules allow) and how many on one node. Resuming asks the same. */
  requested_accelerator: string | null;
  accelerators: number;
  /** JSON: the last placement decision, clusters grouped by reason (its size does not grow with the fleet). */
  placement: string;
  /** The `runs` counter's value at the run's last change of state (see `training_versions`). */
  version: Generated<number>;
  /** JSON: the team's tags on the run (["baseline", "lr-sweep"]), and its note. */
  tags: Generated<string>;
  note: Generated<string>;
  /** JSON: the `RunModel` it made to serve, once it has succeeded. */
  model: Generated<string | null>;
}

/** A change of what a market serves under a model id: a run's model promoted, or a rollback. */
export interface ModelPromotionsTable {
  id: string;
  at: number;
  market: string;
  model_id: string;
  /** promote | rollback */
  action: string;
  /** The run whose model is served from then on; null: the model the server starts with. */
  run_id: string | null;
  /** The copy of that model the servers load, and whether it is a whole model or a LoRA adapter; null with run_id. */
  file: string | null;
  kind: string | null;
  by: string;
}

export interface TrainingScoresTable {
  run_id: string;
  name: string;
  value: number;
  count: number | null;
  at: number;
}

export interface TrainingRunEventsTable {
  run_id: string;
  seq: number;
  at: number;
  from_state: string | null;
  to_state: string;
  reason: string;
}

export interface TrainingCheckpointsTable {
  run_id: string;
  step: number;
  at: number;
  /** Where the agent keeps it, in its own region: a path or an s3:// URL. The bytes never leave the region. */
  location: string;
  bytes: number;
}

export interface TrainingMetricsTable {
  run_id: string;
  step: number;
  at: number;
  loss: number;
  lr: number;
  grad_norm: number;
  tokens_per_s: number;
}

export interface TrainingLogsTable {
  run_id: string;
  /** The run's n-th start (1 for the first; each resume or recovery adds one). */
  attempt: number;
  /** The line's byte offset in that attempt's log file: with the attempt, what makes a resent line a duplicate. */
  offset: number;
  at: number;
  text: string;
}

/** Which region a cluster id belongs to: the region whose agent registered it first. */
export interface TrainingClustersTable {
  id: string;
  region: string;
  registered_at: number;
}

/** The agent serving a cluster, as the instances sharing the store know it. */
export interface TrainingAgentsTable {
  cluster_id: string;
  agent_id: string;
  region: string;
  /** JSON: the cluster as the agent registered it (nodes, accelerators, what is free). */
  cluster: string;
  registered_at: number;
  last_seen: number;
  /** 1 once the recovery sweep dropped it for silence; registering again brings it back. */
  dropped: number;
  /** The `fleet` counter's value at its last registration or drop. */
  version: number;
}

/** A command queued for the agent of a cluster, delivered once (deleted as it is handed out), in `seq` order. */
export interface TrainingCommandsTable {
  seq: Generated<number>;
  cluster_id: string;
  /** JSON: an `AgentCommand`. */
  command: string;
  at: number;
}

/** Counters (`fleet`, `runs`) numbering changes, so an instance reads only what changed since it last looked. */
export interface TrainingVersionsTable {
  name: string;
  value: number;
}

/** A dataset uploaded through the control plane: kept in `region` at `source` by its agent, never here. */
export interface TrainingDatasetsTable {
  id: string;
  market: string;
  region: string;
  /** The folder the region's agent keeps it in. */
  source: string;
  /** JSON: the agent's `DatasetReport`. */
  report: string;
  by: string;
  created_at: number;
}

/** This domain's part of the store's `Database`. */
export interface TrainingTables {
  training_runs: TrainingRunsTable;
  training_run_events: TrainingRunEventsTable;
  training_scores: TrainingScoresTable;
  training_checkpoints: TrainingCheckpointsTable;
  training_metrics: TrainingMetricsTable;
  training_logs: TrainingLogsTable;
  training_clusters: TrainingClustersTable;
  training_agents: TrainingAgentsTable;
  training_commands: TrainingCommandsTable;
  training_versions: TrainingVersionsTable;
  model_promotions: ModelPromotionsTable;
  training_datasets: TrainingDatasetsTable;
}
