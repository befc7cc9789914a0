export interface ApiKeysTable {
  id: string;
  name: string;
  /** How lists show the key (`bk-…x9Qz`, see keyHint), so a user can tell keys apart; never enough to use it. */
  prefix: string;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  hash: string;
  role: "admin" | "user";
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** The market the key belongs to; null: any market (admins, single-market setups). */
  market: string | null;
  /** The person the key acts as (in their market's store); null: an operator's key, or one made before accounts. */
  user_id: string | null;
}

/** This domain's part of the store's `Database`. */
export interface KeysTables {
  api_keys: ApiKeysTable;
}
