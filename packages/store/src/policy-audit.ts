import { randomUUID } from "node:crypto";
import type { Insertable, Kysely, Selectable } from "kysely";
import type { Database, PolicyAuditTable } from "./schema.ts";

export type PolicyAuditRow = Selectable<PolicyAuditTable>;
export type PolicyAuditEntry = Omit<Insertable<PolicyAuditTable>, "id" | "created_at">;

/** Content-policy hits of one market: what was blocked, where (input or output), and why. */
export class PolicyAudit {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: PolicyAuditEntry, at = Date.now()): Promise<void> {
    await this.db.insertInto("policy_audit").values({ ...e, id: randomUUID(), created_at: at }).execute();
  }

  async recent(limit = 100): Promise<PolicyAuditRow[]> {
    return this.db.selectFrom("policy_audit").selectAll().orderBy("created_at", "desc").limit(limit).execute();
  }
}
