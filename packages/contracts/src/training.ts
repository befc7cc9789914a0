import { z } from "zod";
import { runCommand, runState } from "./run-state.ts";

// Training: what the trainer writes, what a regional agent and the control plane say to each other, and the
// views the control plane's admin API (/control/v1) returns. Views are camelCase, never raw store rows.

const name = z.string().min(1).max(128);

// ── The fleet ──────────────────────────────────────────────────────────────────────────────────────────────

/** A machine in a cluster; `accelerator` is a GPU model ("H20", "H200", …) or "CPU". */
export const fleetNode = z.strictObject({
  id: name,
  accelerator: name,
  /** Accelerators on the node (CPU nodes: 1). */
  count: z.number().int().positive().max(4096),
  /** How many are free now. */
  free: z.number().int().min(0).max(4096),
});
export type FleetNode = z.infer<typeof fleetNode>;

/** Machines run by one operator in one region, served by one regional agent. */
export const cluster = z.strictObject({ id: name, region: name, operator: name, nodes: z.array(fleetNode).max(1024) });
export type Cluster = z.infer<typeof cluster>;

export const dataset = z.strictObject({
  id: z.string(),
  market: z.string(),
  /** Where the dataset's bytes live. */
  region: z.string(),
  flags: z.array(z.enum(["personal-information", "important-data"])),
  /** Recorded legal mechanisms that allow copying the data to another region (e.g. a security assessment). */
  transfers: z.array(z.strictObject({ to: z.string(), mechanism: z.string(), from: z.string() })),
  /** What the agent trains on, in its region: a built-in dataset name or a folder there. Defaults to the id. */
  source: z.string().optional(),
});
export type Dataset = z.infer<typeof dataset>;

// ── Datasets uploaded through the control plane ───────────────────────────────────────────────────────────

/** An uploaded dataset's id: also its folder in its region. */
export const datasetName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "use 1–64 lowercase letters, digits, '.', '_' or '-'");

/**
 * POST /control/v1/datasets?market=…&name=…[&region=…]: the body is the dataset's JSON lines (benih's examples, one
 * per line), handed on as they arrive to an agent of the market's region, which keeps them there; the home plane
 * never stores them. Answered 201 with the agent's `datasetReport`, or 422 with it when it refused the file.
 */
export const datasetSplit = z.enum(["train", "validation", "eval"]);
export const datasetUpload = z.strictObject({
  market: z.string().min(1).max(64),
  name: datasetName,
  /** `train` makes the dataset; `validation` and `eval` add those splits to one uploaded before. */
  split: datasetSplit.default("train"),
  /** Needed only when the market's datasets live in several regions. */
  region: z.string().min(1).max(64).optional(),
});
export type DatasetUpload = z.infer<typeof datasetUpload>;

/** How many broken lines and duplicates a report names; the counts are always whole. */
export const reportSampleSize = 20;

/** What the region's agent found, line by line, in an uploaded dataset: only this crosses back to the home plane. */
export const datasetReport = z.strictObject({
  dataset: z.string(),
  split: datasetSplit,
  market: z.string(),
  region: z.string(),
  /** Kept in the region (no broken line), or refused and deleted there. */
  accepted: z.boolean(),
  /** Why it was refused. */
  reason: z.string().max(2000).optional(),
  bytes: z.number().int().min(0),
  /** Lines that are not blank, and of them the examples (lines that are whole examples). */
  lines: z.number().int().min(0),
  examples: z.number().int().min(0),
  broken: z.array(z.strictObject({ line: z.number().int().positive(), problem: z.string().max(500) })).max(reportSampleSize),
  brokenCount: z.number().int().min(0),
  /** Examples that repeat an earlier line, with the line they repeat. */
  duplicates: z.array(z.strictObject({ line: z.number().int().positive(), sameAs: z.number().int().positive() })).max(reportSampleSize),
  duplicateCount: z.number().int().min(0),
  /** Examples by the language their question is written in (zh, en, id, other), as read from the text. */
  languages: z.record(z.string(), z.number().int().min(0)),
});
export type DatasetReport = z.infer<typeof datasetReport>;

/** POST /control/v1/uploads/:id/report: the agent's report, and where it keeps an accepted dataset in its region. */
export const datasetDelivered = z.strictObject({ report: datasetReport, source: z.string().min(1).max(4096).optional() });
export type DatasetDelivered = z.infer<typeof datasetDelivered>;

/** How many cluster ids a placement group names, and how many refusal groups a decision lists (see below). */
export const placementSampleSize = 5;
export const placementGroupLimit = 20;

/**
 * Clusters that share one verdict: `count` of them, the first few (in order of preference) named. A decision's size
 * depends on the number of distinct reasons, never on the size of the fleet.
 */
export const placementGroup = z.strictObject({
  /** Why these clusters may not take the run; empty for clusters that could. */
  reasons: z.array(z.string()),
  count: z.number().int().min(0),
  clusters: z.array(z.string()).max(placementSampleSize),
});
export type PlacementGroup = z.infer<typeof placementGroup>;

export const placementDecision = z.strictObject({
  /** The chosen cluster and node, when one is eligible. */
  placed: z.strictObject({ cluster: z.string(), region: z.string(), node: z.string(), accelerator: z.string() }).optional(),
  /** How many registered clusters were considered. */
  considered: z.number().int().min(0),
  /** The clusters that could take the run (the chosen one first). */
  eligible: placementGroup,
  /** The clusters that could not, grouped by their reasons, in order of preference of each group's first cluster. */
  refused: z.array(placementGroup).max(placementGroupLimit),
  /** Refused clusters in groups beyond the `placementGroupLimit` listed. */
  moreRefused: z.number().int().min(0),
  /** One line for people: where it went, or why it went nowhere. */
  summary: z.string(),
});
export type PlacementDecision = z.infer<typeof placementDecision>;

// ── Recipes ────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A trainer benih did not write (PyTorch under torchrun, …), declared in benih.yaml as a recipe of kind `command`.
 * It keeps benih's trainer contract (docs/trainers.md): metrics.jsonl lines, checkpoints as `checkpoints/step-N.*` files
 * in the run folder, SIGTERM or a `request` file to checkpoint and stop.
 */
export const commandRecipe = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "use 1–64 lowercase letters, digits, '.', '_' or '-'"),
  kind: z.literal("command"),
  /** The program and its arguments: run as is locally, as the container's command on Kubernetes. */
  command: z.array(z.string().min(1).max(4096)).min(1).max(256),
  /** The container image on Kubernetes (the agent's own image when absent). */
  image: z.string().min(1).max(512).optional(),
  /** Environment for the trainer, besides the contract's BENIH_* variables. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name"), z.string().max(4096)).default({}),
  /** What one attempt asks for: an accelerator model (any the rules allow when absent), how many per node, nodes. */
  accelerator: z
    .strictObject({
      type: z.string().min(1).optional(),
      count: z.number().int().positive().max(4096).default(1),
      nodes: z.number().int().positive().max(1024).default(1),
    })
    .prefault({}),
});
export type CommandRecipe = z.infer<typeof commandRecipe>;
/** What an agent needs of a command recipe to start it. */
export const commandTrainer = commandRecipe.pick({ command: true, image: true, env: true }).extend({ nodes: z.number().int().positive() });
export type CommandTrainer = z.infer<typeof commandTrainer>;

// ── Trainer → agent: metrics.jsonl ─────────────────────────────────────────────────────────────────────────

/** One line of a run's metrics.jsonl, as the trainer appends it after each step. */
export const trainerMetricLine = z.object({
  step: z.number().int().positive(),
  loss: z.number(),
  lr: z.number(),
  gradNorm: z.number(),
  /** Tokens in the step's batch. */
  tokens: z.number().int().min(0),
  tokensPerSecond: z.number(),
  /** When the step ended, ISO 8601 with its zone ("Z" or "+08:00"). */
  time: z.iso.datetime({ offset: true }),
});
export type TrainerMetricLine = z.infer<typeof trainerMetricLine>;

/**
 * One score of a finished run, computed in its region (benih's trainer: exact match on held-out questions per
 * language and kind, as a fraction; a command trainer: whatever it measures). `count`: how many items it is over.
 */
export const runScore = z.strictObject({
  name: z.string().min(1).max(80),
  value: z.number(),
  count: z.number().int().min(0).optional(),
});
export type RunScore = z.infer<typeof runScore>;

/** `scores.json` in a run folder, as a trainer writes it when it ends; the agent sends it on (POST …/runs/:id/scores). */
export const runScores = z.strictObject({
  scores: z
    .array(runScore)
    .min(1)
    .max(200)
    .refine((s) => new Set(s.map((x) => x.name)).size === s.length, "each score name once"),
});
export type RunScores = z.infer<typeof runScores>;

// ── Agent ⇄ control plane ──────────────────────────────────────────────────────────────────────────────────

/** POST /control/v1/agents; answered with `agentRegistered`. */
export const agentRegistration = z.strictObject({ cluster });
export type AgentRegistration = z.infer<typeof agentRegistration>;
export const agentRegistered = z.strictObject({ agentId: z.string() });
export type AgentRegistered = z.infer<typeof agentRegistered>;

/** What the control plane sends an agent. Only commands and metadata cross regions, never data or weights. */
export const agentCommand = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("start"),
    runId: z.string(),
    /** The run's n-th start: 1, then one more per resume or recovery. */
    attempt: z.number().int().positive(),
    recipe: z.string(),
    dataset: z.string(),
    source: z.string(),
    steps: z.number().int().positive(),
    node: z.string(),
    accelerator: z.string(),
    count: z.number().int().positive(),
    /** The checkpoint to continue from (its location is in the run's region), or null for a fresh start. */
    resumeFrom: z.strictObject({ step: z.number().int().min(0), location: z.string() }).nullable(),
    /** A `command` recipe's trainer; absent: benih's own (`benih train --recipe …`). */
    trainer: commandTrainer.optional(),
  }),
  z.strictObject({ type: z.enum(["pause", "stop", "checkpoint"]), runId: z.string() }),
  /**
   * Fetch an uploaded dataset (GET /control/v1/uploads/:uploadId, streamed from the uploader), check it line by
   * line, keep it in the region as `dataset` when whole, and report (POST …/uploads/:uploadId/report).
   */
  z.strictObject({
    type: z.literal("dataset"),
    uploadId: z.string(),
    dataset: datasetName,
    split: datasetSplit,
    market: z.string(),
    /** The most bytes it may have; more is refused. */
    maxBytes: z.number().int().positive(),
  }),
]);
export type AgentCommand = z.infer<typeof agentCommand>;
export type StartCommand = Extract<AgentCommand, { type: "start" }>;

/** GET /control/v1/agents/:id/commands (a long poll). */
export const agentCommands = z.strictObject({ commands: z.array(agentCommand) });
export type AgentCommands = z.infer<typeof agentCommands>;

/** One training step's metrics as an agent sends them; `at` is milliseconds since the epoch. */
export const metricPoint = z.strictObject({
  step: z.number().int().positive(),
  at: z.number().int().positive(),
  loss: z.number().finite(),
  lr: z.number().finite(),
  gradNorm: z.number().finite(),
  tokensPerSecond: z.number().finite(),
});
export type MetricPoint = z.infer<typeof metricPoint>;

/** POST /control/v1/runs/:id/metrics. */
export const metricsBatch = z.strictObject({ points: z.array(metricPoint).min(1).max(10_000) });
export type MetricsBatch = z.infer<typeof metricsBatch>;

/** One line of a run's log; `offset` is its byte offset in that attempt's log file. */
export const logLine = z.strictObject({
  attempt: z.number().int().positive(),
  offset: z.number().int().min(0),
  at: z.number().int().positive(),
  text: z.string().max(4000),
});
export type LogLine = z.infer<typeof logLine>;

/** POST /control/v1/runs/:id/logs. */
export const logBatch = z.strictObject({ lines: z.array(logLine).min(1).max(10_000) });
export type LogBatch = z.infer<typeof logBatch>;

/** A checkpoint an agent kept in its region: where (a path or an s3:// URL), at which step, how large. */
export const checkpointReport = z.strictObject({
  step: z.number().int().min(0),
  location: z.string().min(1),
  bytes: z.number().int().min(0),
});
export type CheckpointReport = z.infer<typeof checkpointReport>;

/**
 * What a finished run made to serve, kept in its region: a GGUF model or LoRA adapter (benih's trainer: the GGUF it
 * wrote; a command trainer: `model.gguf` in its run folder). Its SHA-256 lets whoever promotes it check the copy.
 */
export const runModel = z.strictObject({
  location: z.string().min(1).max(4096),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  kind: z.enum(["model", "adapter"]),
});
export type RunModel = z.infer<typeof runModel>;

/** POST /control/v1/runs/:id/reports: a state an agent saw its run reach, a checkpoint it kept, the model it made. */
export const runReport = z.strictObject({
  state: runState.extract(["running", "paused", "succeeded", "failed", "stopped"]).optional(),
  reason: z.string().max(2000).optional(),
  checkpoint: checkpointReport.optional(),
  model: runModel.optional(),
});
export type RunReport = z.infer<typeof runReport>;

// ── Admin API: requests ────────────────────────────────────────────────────────────────────────────────────

/** POST /control/v1/runs (answered 201 with `runCreated`), and POST /control/v1/placements (a `placementDecision`). */
export const createRun = z.strictObject({
  recipe: z.string().min(1),
  dataset: z.string().min(1),
  steps: z.number().int().positive(),
  accelerator: z.string().min(1).optional(),
  count: z.number().int().positive().optional(),
});
export type CreateRun = z.infer<typeof createRun>;
export const runCreated = z.strictObject({ id: z.string(), placement: placementDecision });
export type RunCreated = z.infer<typeof runCreated>;

/** A tag on a run: a short word or phrase a team sorts its runs by ("baseline", "lr-sweep"). */
export const runTag = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[^,\n]+$/, "a tag is one line without commas");

/** PATCH /control/v1/runs/:id: replaces what is given of the run's tags and note; answered with the `runView`. */
export const annotateRun = z
  .strictObject({
    tags: z
      .array(runTag)
      .max(16)
      .refine((t) => new Set(t).size === t.length, "each tag once")
      .optional(),
    note: z.string().max(4000).optional(),
  })
  .refine((a) => a.tags !== undefined || a.note !== undefined, "give tags, a note, or both");
export type AnnotateRun = z.infer<typeof annotateRun>;

/**
 * POST /control/v1/runs/:id/promote: serve the finished run's model in `market` under `model` (default: the market's
 * chat model), replacing what that id served; answered 201 with a `promotionView`.
 */
export const promoteRun = z.strictObject({ market: z.string().min(1).max(64), model: z.string().min(1).max(200).optional() });
export type PromoteRun = z.infer<typeof promoteRun>;

/** POST /control/v1/promotions/rollback: serve again what `model` served in `market` before its last promotion. */
export const rollbackModel = promoteRun;
export type RollbackModel = PromoteRun;

/** POST /control/v1/runs/:id/commands; answered 202 with `{ accepted: true }`. */
export const runCommandRequest = z.strictObject({ command: runCommand });
export type RunCommandRequest = z.infer<typeof runCommandRequest>;

// ── Admin API: views ───────────────────────────────────────────────────────────────────────────────────────

/** A run as the admin API shows it (GET /control/v1/runs lists them; GET /control/v1/runs/:id shows one). */
export const runView = z.strictObject({
  id: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  recipe: z.string(),
  dataset: z.string(),
  market: z.string(),
  state: runState,
  /** Steps the run is to reach, and the last step it reported. */
  steps: z.number(),
  step: z.number(),
  cluster: z.string().nullable(),
  node: z.string().nullable(),
  /** The accelerator model it runs on now, and the one it asked for (null: any the rules allow). */
  accelerator: z.string().nullable(),
  requestedAccelerator: z.string().nullable(),
  /** Accelerators it uses on its node. */
  accelerators: z.number(),
  /** Where it was placed last, and why. */
  placement: placementDecision,
  tags: z.array(z.string()),
  note: z.string(),
});
export type RunView = z.infer<typeof runView>;

/** One change of a run's state; `fromState` is null for its creation. */
export const runEventView = z.strictObject({
  seq: z.number(),
  at: z.number(),
  fromState: runState.nullable(),
  toState: runState,
  reason: z.string(),
});
export type RunEventView = z.infer<typeof runEventView>;

export const checkpointView = z.strictObject({ step: z.number(), at: z.number(), location: z.string(), bytes: z.number() });
export type CheckpointView = z.infer<typeof checkpointView>;

/** GET /control/v1/runs. */
export const runList = z.strictObject({ runs: z.array(runView) });
export type RunList = z.infer<typeof runList>;

/** GET /control/v1/runs/:id: the run, its state history, its checkpoints (by step) and the last of them, its scores. */
export const runDetail = z.strictObject({
  run: runView,
  /** What it made to serve, once it has succeeded. */
  model: runModel.nullable(),
  scores: z.array(runScore),
  events: z.array(runEventView),
  checkpoints: z.array(checkpointView),
  lastCheckpoint: checkpointView.nullable(),
});
export type RunDetail = z.infer<typeof runDetail>;

/**
 * One change of what a market serves under a model id, kept as its audit: a run's model promoted, or a rollback to
 * what was served before (`runId` null: the model the server was started with).
 */
export const promotionView = z.strictObject({
  id: z.string(),
  at: z.number(),
  market: z.string(),
  model: z.string(),
  action: z.enum(["promote", "rollback"]),
  /** The run whose model is served from now on; null: the one the server was started with. */
  runId: z.string().nullable(),
  /** Who did it: a person's email or an admin key's name. */
  by: z.string(),
});
export type PromotionView = z.infer<typeof promotionView>;

/** GET /control/v1/promotions: newest first, with what each market's promoted ids serve now. */
export const promotionList = z.strictObject({
  promotions: z.array(promotionView),
  serving: z.array(z.strictObject({ market: z.string(), model: z.string(), runId: z.string().nullable(), since: z.number() })),
});
export type PromotionList = z.infer<typeof promotionList>;

export const seriesPoint = z.strictObject({ step: z.number(), value: z.number() });
export type SeriesPoint = z.infer<typeof seriesPoint>;

/** GET /control/v1/runs/:id/metrics: how many points are stored, and each series downsampled for a chart. */
export const metricSeries = z.strictObject({
  points: z.number(),
  loss: z.array(seriesPoint),
  lr: z.array(seriesPoint),
  tokensPerSecond: z.array(seriesPoint),
});
export type MetricSeries = z.infer<typeof metricSeries>;

/** GET /control/v1/runs/:id/logs: the last lines, oldest first. */
export const logTail = z.strictObject({ lines: z.array(logLine) });
export type LogTail = z.infer<typeof logTail>;

/** GET /control/v1/fleet: the registered clusters, with what is free on them now. */
export const fleetView = z.strictObject({ clusters: z.array(cluster) });
export type FleetView = z.infer<typeof fleetView>;

/** GET /control/v1/datasets. */
export const datasetsView = z.strictObject({ datasets: z.array(dataset), recipes: z.array(z.string()) });
export type DatasetsView = z.infer<typeof datasetsView>;

/** Every error the control plane answers with; `details` is a placement decision for a run that can go nowhere. */
export const controlError = z.strictObject({ error: z.strictObject({ message: z.string(), details: z.unknown().optional() }) });
export type ControlError = z.infer<typeof controlError>;
