import type { Kysely } from "kysely";
import { ApiKeys } from "./api-keys.ts";
import { AgentStore } from "./agents.ts";
import { ImageStore } from "./images.ts";
import { VideoJobStore } from "./video-jobs.ts";
import { ConversationStore } from "./conversations.ts";
import { KnowledgeStore } from "./knowledge.ts";
import { migrateToLatest, openDatabase, type StoreLocation } from "./open.ts";
import { PolicyAudit } from "./policy-audit.ts";
import { RequestLog } from "./request-log.ts";
import { TrainingStore } from "./training.ts";
import type { Database } from "./schema.ts";

export class Store {
  readonly apiKeys: ApiKeys;
  readonly requestLog: RequestLog;
  readonly policyAudit: PolicyAudit;
  readonly training: TrainingStore;
  readonly conversations: ConversationStore;
  readonly knowledge: KnowledgeStore;
  readonly agents: AgentStore;
  readonly images: ImageStore;
  readonly videos: VideoJobStore;

  private constructor(
    readonly db: Kysely<Database>,
    readonly location: StoreLocation,
  ) {
    this.apiKeys = new ApiKeys(db);
    this.requestLog = new RequestLog(db);
    this.policyAudit = new PolicyAudit(db);
    this.training = new TrainingStore(db);
    this.conversations = new ConversationStore(db);
    this.knowledge = new KnowledgeStore(db);
    this.agents = new AgentStore(db);
    this.images = new ImageStore(db);
    this.videos = new VideoJobStore(db);
  }

  /** Opens the store and brings its schema up to date. */
  static async open(location: StoreLocation): Promise<Store> {
    const db = openDatabase(location);
    try {
      await migrateToLatest(db, location.schema);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return new Store(db, location);
  }

  /** Deletes request-log and audit rows older than `before` (retention); returns how many went. */
  async prune(before: number): Promise<number> {
    const a = await this.db.deleteFrom("request_log").where("created_at", "<", before).executeTakeFirst();
    const b = await this.db.deleteFrom("policy_audit").where("created_at", "<", before).executeTakeFirst();
    return Number(a.numDeletedRows) + Number(b.numDeletedRows);
  }

  /** Where the store is, for logs: a PostgreSQL URL without its password. */
  describe(): string {
    if (this.location.dialect === "sqlite") return `sqlite ${this.location.target}`;
    const schema = this.location.schema ? ` schema ${this.location.schema}` : "";
    return `postgres ${this.location.target.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}${schema}`;
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
