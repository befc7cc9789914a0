import type { AccountsTables } from "./accounts/tables.ts";
import type { AgentsTables } from "./agents/tables.ts";
import type { AuditTables } from "./audit/tables.ts";
import type { ConversationsTables } from "./conversations/tables.ts";
import type { KeysTables } from "./keys/tables.ts";
import type { KnowledgeTables } from "./knowledge/tables.ts";
import type { LeasesTables } from "./leases/tables.ts";
import type { MediaTables } from "./media/tables.ts";
import type { MemoriesTables } from "./memories/tables.ts";
import type { RequestLogTables } from "./request-log/tables.ts";
import type { TrainingTables } from "./training/tables.ts";

/**
 * Every table of a store: each domain declares its own (with its migrations and repository, in its folder).
 * Times are epoch milliseconds in `bigint` columns, read back as numbers on both dialects.
 */
export interface Database
  extends KeysTables,
    RequestLogTables,
    AuditTables,
    TrainingTables,
    ConversationsTables,
    KnowledgeTables,
    AgentsTables,
    MediaTables,
    AccountsTables,
    LeasesTables,
    MemoriesTables {}
