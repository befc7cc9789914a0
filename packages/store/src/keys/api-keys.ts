import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { ApiKeysTable } from "./tables.ts";

export type ApiKey = Omit<Selectable<ApiKeysTable>, "hash">;
export type ApiKeyRole = ApiKeysTable["role"];

const KEY_PREFIX = "bk-";
/** A person's keys: `sk-benih-<market>-<secret>` (or `sk-benih-<secret>` without markets). */
const PERSON_PREFIX = "sk-benih-";

/**
 * The market a person's key names, so it is looked up in that market's store alone: null for a person's key
 * without markets, undefined for any other key (operators', older ones: the home store).
 */
export function marketOfKey(key: string): string | null | undefined {
  if (!key.startsWith(PERSON_PREFIX)) return undefined;
  const rest = key.slice(PERSON_PREFIX.length);
  const dash = rest.indexOf("-");
  return dash > 0 ? rest.slice(0, dash) : null;
}

/** The part of a key that is not secret: `bk-`, or `sk-benih-cn-`. */
const fixedPart = (key: string): string => {
  if (key.startsWith(KEY_PREFIX)) return KEY_PREFIX;
  const market = marketOfKey(key);
  return market === undefined ? "" : `${PERSON_PREFIX}${market ? `${market}-` : ""}`;
};

// Keys carry 192 random bits, so a fast hash is enough: there is nothing to brute-force that a slow hash would
// protect, and verification stays cheap on every request.
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

const columns = ["id", "name", "prefix", "role", "created_at", "last_used_at", "revoked_at", "market", "user_id"] as const;

/**
 * How lists show a key (kept in the `prefix` column): the fixed public prefix and the last four characters, as
 * OpenAI and Stripe show theirs (`bk-…x9Qz`), never the start of the secret. A key from outside that is short
 * (an admin's own BENIH_ADMIN_KEY) shows no characters at all, since four would be much of it.
 */
export function keyHint(key: string): string {
  const fixed = fixedPart(key);
  return key.length - fixed.length >= 16 ? `${fixed}…${key.slice(-4)}` : `${fixed}…`;
}

/** A new live key's row; the secret itself is kept only as its hash. */
const newRow = (key: string, name: string, role: ApiKeyRole, market: string | null, userId: string | null = null) => ({
  id: randomUUID(),
  name,
  prefix: keyHint(key),
  hash: hashKey(key),
  role,
  created_at: Date.now(),
  last_used_at: null,
  revoked_at: null,
  market,
  user_id: userId,
});

export class ApiKeys {
  private readonly revokeListeners = new Set<(id: string) => void>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Calls `listener` with each key this object revokes (so a cache of keys can drop it); returns the unsubscribe. */
  onRevoke(listener: (id: string) => void): () => void {
    this.revokeListeners.add(listener);
    return () => this.revokeListeners.delete(listener);
  }

  /** Creates a key; the returned `key` is the only time the secret is available. */
  async create(name: string, role: ApiKeyRole = "user", market: string | null = null): Promise<ApiKey & { key: string }> {
    const key = KEY_PREFIX + randomBytes(24).toString("base64url");
    const row = newRow(key, name, role, market);
    await this.db.insertInto("api_keys").values(row).execute();
    const { hash: _hash, ...rest } = row;
    return { ...rest, key };
  }

  /** Makes a key that acts as a person of `market` (its store is this one); the secret is in this answer only. */
  async createFor(userId: string, market: string | null, name: string): Promise<ApiKey & { key: string }> {
    // Hex, so the secret holds no "-" and the market is what stands between the prefix and the next "-".
    const key = `${PERSON_PREFIX}${market ? `${market}-` : ""}${randomBytes(24).toString("hex")}`;
    const row = newRow(key, name, "user", market, userId);
    await this.db.insertInto("api_keys").values(row).execute();
    const { hash: _hash, ...rest } = row;
    return { ...rest, key };
  }

  /** A person's keys, live and revoked, oldest first. */
  listOf(userId: string): Promise<ApiKey[]> {
    return this.db.selectFrom("api_keys").select(columns).where("user_id", "=", userId).orderBy("created_at").execute();
  }

  /** Revokes one of a person's keys; false when they hold no live key with that id. */
  async revokeOf(userId: string, id: string): Promise<boolean> {
    const res = await this.db
      .updateTable("api_keys")
      .set({ revoked_at: Date.now() })
      .where("id", "=", id)
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (!Number(res.numUpdatedRows)) return false;
    for (const listener of this.revokeListeners) listener(id);
    return true;
  }

  /** Registers a key whose secret comes from outside (BENIH_ADMIN_KEY); idempotent. */
  async ensure(key: string, name: string, role: ApiKeyRole): Promise<ApiKey> {
    const existing = await this.verify(key);
    // Rows written before hints were shown held the key's first characters: replace them.
    if (existing && existing.prefix !== keyHint(key))
      await this.db
        .updateTable("api_keys")
        .set({ prefix: keyHint(key) })
        .where("id", "=", existing.id)
        .execute();
    if (existing) return { ...existing, prefix: keyHint(key) };
    const row = newRow(key, name, role, null);
    // A revoked row with the same hash would collide; the environment variable says it should be live again.
    await this.db.deleteFrom("api_keys").where("hash", "=", row.hash).execute();
    await this.db.insertInto("api_keys").values(row).execute();
    const { hash: _hash, ...rest } = row;
    return rest;
  }

  /** The live key with this secret, if any. */
  async verify(key: string): Promise<ApiKey | undefined> {
    return this.db
      .selectFrom("api_keys")
      .select(columns)
      .where("hash", "=", hashKey(key))
      .where("revoked_at", "is", null)
      .executeTakeFirst();
  }

  /** The live key with this id, if any (whom the server's work for a key's owner is charged to). */
  async liveById(id: string): Promise<ApiKey | undefined> {
    return this.db.selectFrom("api_keys").select(columns).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  }

  async list(): Promise<ApiKey[]> {
    return this.db.selectFrom("api_keys").select(columns).orderBy("created_at").execute();
  }

  /**
   * Revokes by id or by the hint lists show (`bk-…x9Qz`, or `bk-...x9Qz` as typed); returns how many keys were
   * revoked. A hint that more than one live key shares revokes none: the caller must name the id.
   */
  async revoke(idOrHint: string): Promise<number> {
    const hint = idOrHint.replace("...", "…");
    const live = await this.db
      .selectFrom("api_keys")
      .select("id")
      .where((eb) => eb.or([eb("id", "=", idOrHint), eb("prefix", "=", hint)]))
      .where("revoked_at", "is", null)
      .execute();
    if (live.length > 1) throw new Error(`${live.length} live keys show as "${idOrHint}"; revoke one by its id (benih keys list shows it)`);
    if (!live.length) return 0;
    const id = live[0]!.id;
    const res = await this.db
      .updateTable("api_keys")
      .set({ revoked_at: Date.now() })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    for (const listener of this.revokeListeners) listener(id);
    return Number(res.numUpdatedRows);
  }

  async touch(ids: string[], at = Date.now()): Promise<void> {
    if (ids.length) await this.db.updateTable("api_keys").set({ last_used_at: at }).where("id", "in", ids).execute();
  }

  async countLive(): Promise<number> {
    const r = await this.db
      .selectFrom("api_keys")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("revoked_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
