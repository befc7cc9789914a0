import { type Kysely, SqliteAdapter, sql } from "kysely";
import type { Database } from "../database.ts";

/** Named leases on background duties, so that of the instances sharing this store one does each duty at a time. */
export class Leases {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Takes (or renews) the lease `name` for `holder` until `ttlMs` from now; false while another holder's lease has
   * not run out. Each step is one statement, so two instances asking at once cannot both get it.
   */
  async tryAcquire(name: string, holder: string, ttlMs: number, at?: number): Promise<boolean> {
    const now = at ?? (await this.now());
    const until = now + ttlMs;
    const taken = await this.db
      .updateTable("leases")
      .set({ holder, until })
      .where("name", "=", name)
      .where((eb) => eb.or([eb("holder", "=", holder), eb("until", "<", now)]))
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) > 0) return true;
    const created = await this.db
      .insertInto("leases")
      .values({ name, holder, until })
      .onConflict((oc) => oc.column("name").doNothing())
      .executeTakeFirst();
    return Number(created.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Gives up a holder's leases (it is stopping), so another instance takes its duties at once. */
  async releaseAll(holder: string): Promise<void> {
    await this.db.deleteFrom("leases").where("holder", "=", holder).execute();
  }

  /**
   * The time by the database's clock (PostgreSQL's, which every instance shares; a SQLite file's machine is this
   * one), so that instances whose clocks differ agree on when a lease ends.
   */
  private async now(): Promise<number> {
    if (this.db.getExecutor().adapter instanceof SqliteAdapter) return Date.now();
    const { rows } = await sql<{ now: string }>`select (extract(epoch from clock_timestamp()) * 1000)::bigint as now`.execute(this.db);
    return Number(rows[0]!.now);
  }

  /** Who holds a lease now, if anyone (for tests and status). */
  async holderOf(name: string, at?: number): Promise<string | undefined> {
    const now = at ?? (await this.now());
    const row = await this.db.selectFrom("leases").select(["holder", "until"]).where("name", "=", name).executeTakeFirst();
    return row && Number(row.until) >= now ? row.holder : undefined;
  }
}
