export { Store } from "./store.ts";
export { storeLocationFromEnv, type StoreLocation, type Dialect } from "./open.ts";
export { ApiKeys, hashKey, type ApiKey, type ApiKeyRole } from "./api-keys.ts";
export {
  RequestLog,
  BufferedRequestLogWriter,
  type RequestLogEntry,
  type RequestLogRow,
  type AttemptRecord,
} from "./request-log.ts";
export type { Database } from "./schema.ts";
export { PolicyAudit, type PolicyAuditEntry, type PolicyAuditRow } from "./policy-audit.ts";
export { TrainingStore, type LogLine, type MetricPoint, type TrainingRunRow } from "./training.ts";
export { ConversationStore, type Conversation, type Message, type MessageStatus } from "./conversations.ts";
export { KnowledgeQuotaError, KnowledgeStore, SHARED, type KbChunk, type KbDocument, type KbHit } from "./knowledge.ts";
export { AgentStore, type AgentFields, type StoredAgent } from "./agents.ts";
export { ImageStore, type ImageInfo, type ImageRow } from "./images.ts";
export { VideoJobStore, type VideoJob, type VideoState } from "./video-jobs.ts";
