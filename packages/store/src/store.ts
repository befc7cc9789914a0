import { type Kysely, sql } from "kysely";
import { Accounts } from "./accounts/accounts.ts";
import { checkpointInBackground } from "./checkpoints.ts";
import { AgentStore } from "./agents/agents.ts";
import { PolicyAudit } from "./audit/policy-audit.ts";
import { ConversationStore } from "./conversations/conversations.ts";
import type { Database } from "./database.ts";
import { ApiKeys } from "./keys/api-keys.ts";
import { KnowledgeStore } from "./knowledge/knowledge.ts";
import { Leases } from "./leases/leases.ts";
import { ImageStore } from "./media/images.ts";
import { VideoJobStore } from "./media/video-jobs.ts";
import { MemoryStore } from "./memories/memories.ts";
import { migrateToLatest, openDatabase, type StoreLocation } from "./open.ts";
import { RequestLog } from "./request-log/request-log.ts";
import { TrainingStore } from "./training/training.ts";

/** One store (the home store, or a market's): each domain's repository over one database. */

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
  readonly accounts: Accounts;
  readonly leases: Leases;
  readonly memories: MemoryStore;

  private constructor(
    readonly db: Kysely<Database>,
    readonly location: StoreLocation,
    private readonly release?: () => void,
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
    this.accounts = new Accounts(db);
    this.leases = new Leases(db);
    this.memories = new MemoryStore(db);
  }

  /** Opens the store and brings its schema up to date. */
  static async open(location: StoreLocation): Promise<Store> {
    const db = openDatabase(location);
    try {
      await migrateToLatest(db, location.dialect, location.schema);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    const inFile = location.dialect === "sqlite" && location.target !== ":memory:";
    return new Store(db, location, inFile ? checkpointInBackground(location.target) : undefined);
  }

  /** Deletes request-log and audit rows older than `before` (retention), and ended sessions; returns how many went. */
  async prune(before: number): Promise<number> {
    return (await this.requestLog.prune(before)) + (await this.policyAudit.prune(before)) + (await this.accounts.prune());
  }

  /** Rejects when the database cannot be reached (readiness). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /** When a migration ran on this store (epoch ms), or undefined if it has not. */
  async migratedAt(name: string): Promise<number | undefined> {
    const row = await sql<{ timestamp: string | Date }>`select timestamp from benih_migrations where name = ${name}`.execute(this.db);
    const at = row.rows[0]?.timestamp;
    return at === undefined ? undefined : new Date(at).getTime();
  }

  /** Where the store is, for logs: a PostgreSQL URL without its password. */
  describe(): string {
    if (this.location.dialect === "sqlite") return `sqlite ${this.location.target}`;
    const schema = this.location.schema ? ` schema ${this.location.schema}` : "";
    return `postgres ${this.location.target.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}${schema}`;
  }

  async close(): Promise<void> {
    await this.knowledge.close();
    await this.db.destroy();
    this.release?.();
  }
}
