/** A person of this store's market (or, in the home store without markets, of the one space). */
export interface UsersTable {
  id: string;
  /** Lower-cased and trimmed; null for the machine's owner account and for people known only by an IdP's subject. */
  email: string | null;
  name: string;
  /** argon2id, PHC string; null: no password (SSO only, or the owner account). */
  password_hash: string | null;
  role: "member" | "admin";
  /** The market the person belongs to (the store's own); null without markets. */
  market: string | null;
  /** 1 for the machine's own account on a loopback server without sign-in. */
  owner: number;
  created_at: number;
  disabled_at: number | null;
  /** The person's own QuotaLimits as JSON, over the market's field by field; null: the market's. */
  quota: string | null;
}

/** A signed-in browser. The cookie holds the token; only its SHA-256 is kept. */
export interface SessionsTable {
  id: string;
  user_id: string;
  /** What cookie-authenticated changes must send as `x-csrf-token`. */
  csrf: string;
  created_at: number;
  seen_at: number;
  /** The absolute end, whatever the activity. */
  expires_at: number;
}

/** An OpenID Connect subject mapped to its person: (provider, subject) is what the IdP vouches for. */
export interface UserIdentitiesTable {
  provider: string;
  subject: string;
  user_id: string;
  created_at: number;
}

export interface InvitationsTable {
  id: string;
  /** SHA-256 of the link's token. */
  token_hash: string;
  email: string | null;
  role: "member" | "admin";
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** What the link is for: joining, or setting a new password (a reset names its person). */
  kind: "invite" | "reset" | "setup";
  user_id: string | null;
}

/** Every change an admin made to people, invitations or quotas. */
export interface AdminAuditTable {
  id: string;
  at: number;
  /** Who acted: a person's id and email, or an operator key's name. */
  actor: string;
  action: string;
  target: string | null;
  /** JSON object. */
  detail: string;
}

/** This domain's part of the store's `Database`. */
export interface AccountsTables {
  users: UsersTable;
  sessions: SessionsTable;
  user_identities: UserIdentitiesTable;
  invitations: InvitationsTable;
  admin_audit: AdminAuditTable;
}
