import { randomUUID } from "node:crypto";
import { type ExpressionBuilder, sql, SqliteAdapter, type Kysely, type Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { MemoriesTable } from "./tables.ts";

export type Memory = Selectable<MemoriesTable>;

/** A memory refused because its owner already has as many as they may keep. */
export class MemoryLimitError extends Error {
  constructor(readonly limit: number) {
    super(`you already have ${limit} memories, the most one person may keep`);
    this.name = "MemoryLimitError";
  }
}

/** Rows of `owner` (null: the machine's owner, on a server without sign-in). */
const ownedBy = (owner: string | null) => (eb: ExpressionBuilder<Database, "memories">) =>
  owner === null ? eb("owner", "is", null) : eb("owner", "=", owner);

/** The settings row's key: the owner, with "" for the machine's owner (null). */
const settingsKey = (owner: string | null) => owner ?? "";

/** What each person asked the assistant to remember, visible to its owner only, and whether memory is on for them. */
export class MemoryStore {
  private readonly sqlite: boolean;
  constructor(private readonly db: Kysely<Database>) {
    this.sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  }

  private owned(owner: string | null) {
    return this.db.selectFrom("memories").selectAll().where(ownedBy(owner));
  }

  /** The owner's memories, newest first. */
  async list(owner: string | null): Promise<Memory[]> {
    return this.owned(owner).orderBy("created_at", "desc").orderBy("id", "desc").execute();
  }

  async get(id: string, owner: string | null): Promise<Memory | undefined> {
    return this.owned(owner).where("id", "=", id).executeTakeFirst();
  }

  /**
   * Keeps a memory. With `limit`, throws MemoryLimitError, writing nothing, when the owner already has that many;
   * the count and the write are one transaction (one owner at a time on PostgreSQL), so two at once cannot both fit.
   */
  async add(
    owner: string | null,
    content: string,
    o: { limit?: number; conversation?: string; message?: string; at?: number } = {},
  ): Promise<Memory> {
    const at = o.at ?? Date.now();
    const row: Memory = {
      id: `mem-${randomUUID()}`,
      owner,
      content,
      created_at: at,
      updated_at: at,
      source_conversation: o.conversation ?? null,
      source_message: o.message ?? null,
    };
    await this.db.transaction().execute(async (tx) => {
      if (o.limit !== undefined) {
        if (!this.sqlite) await sql`select pg_advisory_xact_lock(hashtext(${`memories:${owner ?? ""}`}))`.execute(tx);
        const { n } = await tx
          .selectFrom("memories")
          .select((eb) => eb.fn.countAll<number | string>().as("n"))
          .where(ownedBy(owner))
          .executeTakeFirstOrThrow();
        if (Number(n) >= o.limit) throw new MemoryLimitError(o.limit);
      }
      await tx.insertInto("memories").values(row).execute();
    });
    return row;
  }

  /** Changes a memory's text; undefined when the owner has no memory `id`. */
  async update(id: string, owner: string | null, content: string, at = Date.now()): Promise<Memory | undefined> {
    await this.db.updateTable("memories").set({ content, updated_at: at }).where("id", "=", id).where(ownedBy(owner)).execute();
    return this.get(id, owner);
  }

  async delete(id: string, owner: string | null): Promise<boolean> {
    const r = await this.db.deleteFrom("memories").where("id", "=", id).where(ownedBy(owner)).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  /** Deletes every memory of the owner; returns how many went. */
  async deleteAll(owner: string | null): Promise<number> {
    const r = await this.db.deleteFrom("memories").where(ownedBy(owner)).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Whether memory is on for the owner (it is until they turn it off). */
  async enabled(owner: string | null): Promise<boolean> {
    const r = await this.db.selectFrom("memory_settings").select("enabled").where("owner", "=", settingsKey(owner)).executeTakeFirst();
    return r === undefined || r.enabled === 1;
  }

  async setEnabled(owner: string | null, enabled: boolean, at = Date.now()): Promise<void> {
    const value = { enabled: enabled ? 1 : 0, updated_at: at };
    await this.db
      .insertInto("memory_settings")
      .values({ owner: settingsKey(owner), ...value })
      .onConflict((oc) => oc.column("owner").doUpdateSet(value))
      .execute();
  }
}
