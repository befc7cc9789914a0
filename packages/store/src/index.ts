export { Store } from "./store.ts";
export { storeLocationFromEnv, type StoreLocation, type Dialect } from "./open.ts";
export type { Database } from "./database.ts";
export { ApiKeys, hashKey, keyHint, marketOfKey, type ApiKey, type ApiKeyRole } from "./keys/api-keys.ts";
export {
  Accounts,
  newToken,
  type AdminAuditRow,
  type Invitation,
  type LinkRefusal,
  type NewUser,
  type SessionTimes,
  type User,
} from "./accounts/accounts.ts";
export {
  RequestLog,
  BufferedRequestLogWriter,
  type RequestLogEntry,
  type RequestLogRow,
  type UsageTotals,
  DAY_MS,
  type AttemptRecord,
} from "./request-log/request-log.ts";
export { PolicyAudit, type PolicyAuditEntry, type PolicyAuditRow } from "./audit/policy-audit.ts";
export { TrainingStore, type LogLine, type MetricPoint, type TrainingRunRow } from "./training/training.ts";
export {
  ConversationStore,
  type Conversation,
  type Message,
  type MessageStatus,
  type RatedAnswer,
  type Rating,
} from "./conversations/conversations.ts";
export {
  EmbeddingConflictError,
  KnowledgeQuotaError,
  KnowledgeStore,
  SHARED,
  type EmbeddingProgress,
  type KbChunk,
  type KbDocument,
  type KbHit,
  type QueryVector,
  type SearchOptions,
  ownerTag,
} from "./knowledge/knowledge.ts";
export { fuse, RRF_K } from "./knowledge/fuse.ts";
export { AgentStore, type AgentFields, type StoredAgent } from "./agents/agents.ts";
export { ImageQuotaError, ImageStore, type ImageInfo, type ImageRow, type ImageSized } from "./media/images.ts";
export { VideoJobStore, type VideoJob, type VideoState } from "./media/video-jobs.ts";
export { Leases } from "./leases/leases.ts";
export { MemoryLimitError, MemoryStore, type Memory } from "./memories/memories.ts";
export { MemorySignals } from "./signals/memory.ts";
export { RedisSignals } from "./signals/redis.ts";
export { PostgresSignals } from "./signals/postgres.ts";
export { openSignals } from "./signals/open.ts";
