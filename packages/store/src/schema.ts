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

export interface Database {
  api_keys: ApiKeysTable;
  request_log: RequestLogTable;
  policy_audit: PolicyAuditTable;
}
