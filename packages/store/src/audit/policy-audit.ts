import { randomUUID } from "node:crypto";
import type { PolicyAuditEntry } from "@benih/contracts";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { PolicyAuditTable } from "./tables.ts";

export type { PolicyAuditEntry } from "@benih/contracts";
export type PolicyAuditRow = Selectable<PolicyAuditTable>;

/** Content-policy hits of one market: what was blocked, where (input or output), and why. */
export class PolicyAudit {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: PolicyAuditEntry, at = Date.now()): Promise<void> {
    await this.db
      .insertInto("policy_audit")
      .values({ ...e, id: randomUUID(), created_at: at })
      .execute();
  }

  /** Deletes rows older than `before` (retention); returns how many went. */
  async prune(before: number): Promise<number> {
    const r = await this.db.deleteFrom("policy_audit").where("created_at", "<", before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async recent(limit = 100): Promise<PolicyAuditRow[]> {
    return this.db.selectFrom("policy_audit").selectAll().orderBy("created_at", "desc").limit(limit).execute();
  }
}
