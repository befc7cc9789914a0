import type { Kysely } from "kysely";
import { ApiKeys } from "./api-keys.ts";
import { migrateToLatest, openDatabase, type StoreLocation } from "./open.ts";
import { RequestLog } from "./request-log.ts";
import type { Database } from "./schema.ts";

export class Store {
  readonly apiKeys: ApiKeys;
  readonly requestLog: RequestLog;

  private constructor(
    readonly db: Kysely<Database>,
    readonly location: StoreLocation,
  ) {
    this.apiKeys = new ApiKeys(db);
    this.requestLog = new RequestLog(db);
  }

  /** Opens the store and brings its schema up to date. */
  static async open(location: StoreLocation): Promise<Store> {
    const db = openDatabase(location);
    try {
      await migrateToLatest(db);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return new Store(db, location);
  }

  /** Where the store is, for logs: a PostgreSQL URL without its password. */
  describe(): string {
    if (this.location.dialect === "sqlite") return `sqlite ${this.location.target}`;
    return `postgres ${this.location.target.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}`;
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
