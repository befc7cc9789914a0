import { OWNER_PERSON_ID } from "@benih/contracts";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { AdminAuditTable, InvitationsTable, UsersTable } from "./tables.ts";

export type User = Selectable<UsersTable>;

/** No session is kept unused longer than this, whatever the config's idle limit (pruning needs no config). */
const MAX_IDLE_MS = 366 * 86_400_000;

const OWNER_ID = OWNER_PERSON_ID;
export type Invitation = Selectable<InvitationsTable>;
export type AdminAuditRow = Selectable<AdminAuditTable>;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
/** 256 random bits, URL-safe: session tokens, CSRF tokens, invitation links. */
export const newToken = () => randomBytes(32).toString("base64url");

export interface SessionTimes {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, used or not. */
  absoluteMs: number;
}

export interface NewUser {
  email: string | null;
  name: string;
  passwordHash: string | null;
  role: User["role"];
  market: string | null;
  owner?: boolean;
  /** Given for a person adopted from an API key made before accounts: the key's id, which owns their data. */
  id?: string;
}

/** Why an invitation or reset link cannot be used. */
export type LinkRefusal = "unknown" | "expired" | "used";

/**
 * The people of one store (their market's) with their sessions, SSO identities and invitations, and the admins'
 * audit log. Secrets (session tokens, invitation tokens) are kept only as SHA-256: they carry 256 random bits.
 */
export class Accounts {
  constructor(private readonly db: Kysely<Database>) {}

  /** Makes a person; with `ifNew`, one whose id is taken already is left as it is (adoption, the owner). */
  async create(u: NewUser, o: { ifNew?: boolean } = {}): Promise<User> {
    const row: User = {
      id: u.id ?? randomUUID(),
      email: u.email,
      name: u.name,
      password_hash: u.passwordHash,
      role: u.role,
      market: u.market,
      owner: u.owner ? 1 : 0,
      created_at: Date.now(),
      disabled_at: null,
      quota: null,
    };
    await this.db
      .insertInto("users")
      .values(row)
      .$if(!!o.ifNew, (q) => q.onConflict((c) => c.column("id").doNothing()))
      .execute();
    return row;
  }

  byId(id: string): Promise<User | undefined> {
    return this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** People by id (for a page of usage): id → email. */
  async emailsOf(ids: string[]): Promise<Map<string, string | null>> {
    if (!ids.length) return new Map();
    const rows = await this.db.selectFrom("users").select(["id", "email"]).where("id", "in", ids.slice(0, 10_000)).execute();
    return new Map(rows.map((r) => [r.id, r.email]));
  }

  byEmail(email: string): Promise<User | undefined> {
    return this.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
  }

  /** The machine's own account, made on first use (under one id, so two first requests at once make one). */
  async owner(market: string | null): Promise<User> {
    const found = await this.byId(OWNER_ID);
    if (found) return found;
    await this.create(
      { id: OWNER_ID, email: null, name: "owner", passwordHash: null, role: "admin", market, owner: true },
      { ifNew: true },
    );
    return (await this.byId(OWNER_ID))!;
  }

  /** People by email or name (a substring, case-insensitive), newest first. */
  list(o: { query?: string; limit: number; offset?: number }): Promise<User[]> {
    let q = this.db.selectFrom("users").selectAll().where("owner", "=", 0);
    if (o.query) {
      const like = `%${o.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb("email", "like", like), eb(eb.fn("lower", ["name"]), "like", like)]));
    }
    return q
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(o.limit)
      .offset(o.offset ?? 0)
      .execute();
  }

  async countAdmins(): Promise<number> {
    const r = await this.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("role", "=", "admin")
      .where("owner", "=", 0)
      .where("disabled_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Points a key at the person it acts as (a key made before accounts, adopted). */
  async adoptKey(keyId: string, userId: string): Promise<void> {
    await this.db.updateTable("api_keys").set({ user_id: userId }).where("id", "=", keyId).execute();
  }

  async update(id: string, set: Partial<Pick<User, "role" | "quota" | "password_hash" | "name">>): Promise<boolean> {
    const r = await this.db.updateTable("users").set(set).where("id", "=", id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Disables (or enables) a person. Disabling ends their sessions and revokes their API keys in the same
   * transaction: every instance's next look-up finds nothing.
   */
  async setDisabled(id: string, disabled: boolean): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable("users")
        .set({ disabled_at: disabled ? Date.now() : null })
        .where("id", "=", id)
        .executeTakeFirst();
      if (disabled) {
        await tx.deleteFrom("sessions").where("user_id", "=", id).execute();
        await tx
          .updateTable("api_keys")
          .set({ revoked_at: Date.now() })
          .where("user_id", "=", id)
          .where("revoked_at", "is", null)
          .execute();
      }
      return Number(r.numUpdatedRows) > 0;
    });
  }

  // Sessions

  /** A new session for the person; the token goes in the cookie and is not kept. */
  async startSession(userId: string, times: SessionTimes): Promise<{ token: string; csrf: string; expiresAt: number }> {
    const token = newToken();
    const now = Date.now();
    const row = { id: sha256(token), user_id: userId, csrf: newToken(), created_at: now, seen_at: now, expires_at: now + times.absoluteMs };
    await this.db.insertInto("sessions").values(row).execute();
    return { token, csrf: row.csrf, expiresAt: row.expires_at };
  }

  /** The live session of a cookie's token with its person; expired sessions are deleted as they are found. */
  async session(token: string, idleMs: number): Promise<{ id: string; csrf: string; seenAt: number; user: User } | undefined> {
    const row = await this.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .selectAll("users")
      .select(["sessions.id as session_id", "sessions.csrf", "sessions.seen_at", "sessions.expires_at"])
      .where("sessions.id", "=", sha256(token))
      .executeTakeFirst();
    if (!row) return undefined;
    const { session_id, csrf, seen_at, expires_at, ...user } = row;
    const now = Date.now();
    if (expires_at <= now || Number(seen_at) + idleMs <= now || user.disabled_at !== null) {
      await this.db.deleteFrom("sessions").where("id", "=", session_id).execute();
      return undefined;
    }
    return { id: session_id, csrf, seenAt: Number(seen_at), user: user as User };
  }

  async touchSession(id: string, at = Date.now()): Promise<void> {
    await this.db.updateTable("sessions").set({ seen_at: at }).where("id", "=", id).execute();
  }

  async endSession(token: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id", "=", sha256(token)).execute();
  }

  /** Signs the person out everywhere; returns how many sessions ended. */
  async endSessionsOf(userId: string): Promise<number> {
    const r = await this.db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // SSO identities

  async byIdentity(provider: string, subject: string): Promise<User | undefined> {
    return this.db
      .selectFrom("user_identities")
      .innerJoin("users", "users.id", "user_identities.user_id")
      .selectAll("users")
      .where("provider", "=", provider)
      .where("subject", "=", subject)
      .executeTakeFirst();
  }

  async link(provider: string, subject: string, userId: string): Promise<void> {
    await this.db.insertInto("user_identities").values({ provider, subject, user_id: userId, created_at: Date.now() }).execute();
  }

  // Invitations, password resets and the first admin's setup link

  async createLink(l: {
    kind: Invitation["kind"];
    email: string | null;
    role: Invitation["role"];
    createdBy: string;
    ttlMs: number;
    userId?: string;
  }): Promise<{ invitation: Invitation; token: string }> {
    const token = newToken();
    const now = Date.now();
    const invitation: Invitation = {
      id: randomUUID(),
      token_hash: sha256(token),
      email: l.email,
      role: l.role,
      created_by: l.createdBy,
      created_at: now,
      expires_at: now + l.ttlMs,
      used_at: null,
      kind: l.kind,
      user_id: l.userId ?? null,
    };
    await this.db.insertInto("invitations").values(invitation).execute();
    return { invitation, token };
  }

  /** The link a token opens, if it can still be used (not checked: its kind, which the caller compares). */
  async peekLink(token: string): Promise<Invitation | LinkRefusal> {
    const row = await this.db.selectFrom("invitations").selectAll().where("token_hash", "=", sha256(token)).executeTakeFirst();
    if (!row) return "unknown";
    if (row.used_at !== null) return "used";
    if (Number(row.expires_at) <= Date.now()) return "expired";
    return row;
  }

  /** Marks a link used; false when another request used it first. */
  async useLink(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable("invitations")
      .set({ used_at: Date.now() })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Makes a link usable again: the account it was used for could not be made. */
  async releaseLink(id: string): Promise<void> {
    await this.db.updateTable("invitations").set({ used_at: null }).where("id", "=", id).execute();
  }

  /** Deletes ended sessions and links that ended a week ago (used or not); returns how many went. */
  async prune(now = Date.now()): Promise<number> {
    const sessions = await this.db
      .deleteFrom("sessions")
      .where((eb) => eb.or([eb("expires_at", "<", now), eb("seen_at", "<", now - MAX_IDLE_MS)]))
      .executeTakeFirst();
    const links = await this.db
      .deleteFrom("invitations")
      .where("expires_at", "<", now - 7 * 86_400_000)
      .executeTakeFirst();
    return Number(sessions.numDeletedRows) + Number(links.numDeletedRows);
  }

  // The admins' audit log

  async audit(e: { actor: string; action: string; target: string | null; detail?: Record<string, unknown> }): Promise<void> {
    await this.db
      .insertInto("admin_audit")
      .values({
        id: randomUUID(),
        at: Date.now(),
        actor: e.actor,
        action: e.action,
        target: e.target,
        detail: JSON.stringify(e.detail ?? {}),
      })
      .execute();
  }

  auditLog(limit: number, before?: number): Promise<AdminAuditRow[]> {
    let q = this.db.selectFrom("admin_audit").selectAll();
    if (before !== undefined) q = q.where("at", "<", before);
    return q.orderBy("at", "desc").limit(limit).execute();
  }
}
