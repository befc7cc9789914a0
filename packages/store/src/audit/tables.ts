import type { PolicyAuditEntry } from "@benih/contracts";

/** A market's content-policy hits; what a hit records is the gateway's `PolicyAuditEntry` (@benih/contracts). */
export interface PolicyAuditTable extends PolicyAuditEntry {
  id: string;
  created_at: number;
}

/** This domain's part of the store's `Database`. */
export interface AuditTables {
  policy_audit: PolicyAuditTable;
}
