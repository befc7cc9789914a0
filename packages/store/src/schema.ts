import type { Generated } from "kysely";
/** Times are epoch milliseconds in `bigint` columns (read back as numbers on both dialects). */
export interface ApiKeysTable {
  id: string;
  name: string;
  /** The first characters of the key, shown so a user can tell keys apart; never enough to use it. */
  prefix: string;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  hash: string;
  role: "admin" | "user";
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** The market the key belongs to; null: any market (admins, single-market setups). */
  market: string | null;
}

export interface RequestLogTable {
  id: string;
  created_at: number;
  api_key_id: string | null;
  endpoint: string;
  model: string;
  /** `provider/model` of the target that answered, or null when none did. */
  target: string | null;
  attempts: number;
  status: number;
  error_code: string | null;
  error_message: string | null;
  stream: number;
  input_tokens: number | null;
  output_tokens: number | null;
  ttft_ms: number | null;
  total_ms: number;
  cost_usd: number | null;
  /** JSON array: one `{ target, outcome, status?, ms }` per attempt, in order. */
  attempt_log: string;
}

export interface PolicyAuditTable {
  id: string;
  created_at: number;
  request_id: string;
  api_key_id: string | null;
  market: string;
  direction: "input" | "output";
  category: string;
  /** The configured term that matched. */
  term: string;
  model: string;
  /** A few words around the hit. */
  excerpt: string;
}

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
  /** JSON: the last placement decision with every candidate's reasons. */
  placement: string;
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

export interface ConversationsTable {
  id: string;
  created_at: number;
  updated_at: number;
  /** The API key that owns it; null on a server without keys. */
  owner: string | null;
  title: string;
  model: string;
  agent: string | null;
  /** The last message of the branch shown. */
  leaf: string | null;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  /** The message this one answers or follows; siblings are branches (edits, regenerations). */
  parent_id: string | null;
  /** Order of writing within the conversation. */
  seq: number;
  created_at: number;
  updated_at: number;
  /** user | assistant */
  role: string;
  content: string;
  /** done | streaming | stopped | failed | interrupted */
  status: string;
  model: string | null;
  error: string | null;
  /** JSON: attachments, citations, usage. */
  meta: string;
}

export interface KbDocumentsTable {
  id: string;
  /** An API key id; null on a server without keys; "*" for the shared starter corpus. */
  owner: string | null;
  created_at: number;
  title: string;
  /** The file name or URL it came from. */
  source: string;
  mime: string;
  bytes: number;
  chunks: number;
  pages: number | null;
}

export interface KbChunksTable {
  id: Generated<number>;
  document_id: string;
  ord: number;
  page: number | null;
  text: string;
  terms: string;
  owner_tag: string;
}

export interface AgentsTable {
  id: string;
  owner: string | null;
  created_at: number;
  updated_at: number;
  name: string;
  instructions: string;
  /** null: the market's default chat model. */
  model: string | null;
  /** JSON: skill names. */
  skills: string;
  /** JSON: suggested first prompts. */
  starters: string;
  /** 1: the skills are offered to the model as tools. */
  tool_use: number;
}

export interface ImagesTable {
  id: string;
  owner: string | null;
  created_at: number;
  prompt: string;
  /** provider/model that drew it. */
  model: string;
  size: string;
  seed: number | null;
  mime: string;
  bytes: Buffer;
}

export interface VideoJobsTable {
  id: string;
  owner: string | null;
  created_at: number;
  updated_at: number;
  prompt: string;
  /** provider/model, or "slideshow" for the offline path. */
  model: string;
  /** The provider's task id, once submitted. */
  task: string | null;
  /** queued | running | succeeded | failed */
  state: string;
  /** 0–100. */
  progress: number;
  error: string | null;
  mime: string | null;
  bytes: Buffer | null;
}

export interface Database {
  api_keys: ApiKeysTable;
  request_log: RequestLogTable;
  policy_audit: PolicyAuditTable;
  training_runs: TrainingRunsTable;
  training_run_events: TrainingRunEventsTable;
  training_checkpoints: TrainingCheckpointsTable;
  training_metrics: TrainingMetricsTable;
  training_logs: TrainingLogsTable;
  training_clusters: TrainingClustersTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  kb_documents: KbDocumentsTable;
  kb_chunks: KbChunksTable;
  agents: AgentsTable;
  images: ImagesTable;
  video_jobs: VideoJobsTable;
}
