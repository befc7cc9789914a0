import type { RequestLogEntry } from "@benih/contracts";
import { sql, type Kysely, type Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { RequestLogTable } from "./tables.ts";

export type { AttemptRecord, RequestLogEntry } from "@benih/contracts";
export type RequestLogRow = Selectable<RequestLogTable>;

/** Requests, tokens and cost of one UTC day (epoch day number), model and person. */
export interface UsageTotals {
  day: number;
  model: string;
  person: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export const DAY_MS = 86_400_000;

export class RequestLog {
  constructor(private readonly db: Kysely<Database>) {}

  async append(entries: RequestLogEntry[]): Promise<void> {
    if (!entries.length) return;
    // Both dialects cap bound parameters per statement; 19 columns × 200 rows stays under SQLite's 32,766.
    for (let i = 0; i < entries.length; i += 200) {
      await this.db
        .insertInto("request_log")
        .values(entries.slice(i, i + 200))
        .execute();
    }
  }

  /** Deletes rows older than `before` (retention); returns how many went. */
  async prune(before: number): Promise<number> {
    const r = await this.db.deleteFrom("request_log").where("created_at", "<", before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async get(id: string): Promise<RequestLogRow | undefined> {
    return this.db.selectFrom("request_log").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /**
   * Usage per UTC day, model and person from `since` to `until`, of one person or everyone, at most `rows` groups
   * (the budget of one answer), most recent days first.
   */
  async usage(o: { since: number; until: number; person?: string; rows: number }): Promise<UsageTotals[]> {
    const day = sql<number>`created_at / ${DAY_MS}`;
    let q = this.db
      .selectFrom("request_log")
      .select((eb) => [
        day.as("day"),
        "model",
        "person_id",
        eb.fn.countAll<number>().as("requests"),
        eb.fn.coalesce(eb.fn.sum<number>("input_tokens"), sql<number>`0`).as("prompt"),
        eb.fn.coalesce(eb.fn.sum<number>("output_tokens"), sql<number>`0`).as("completion"),
        eb.fn.coalesce(eb.fn.sum<number>("cost_usd"), sql<number>`0`).as("cost"),
      ])
      .where("created_at", ">=", o.since)
      .where("created_at", "<", o.until);
    if (o.person !== undefined) q = q.where("person_id", "=", o.person);
    const rows = await q.groupBy([day, "model", "person_id"]).orderBy(day, "desc").orderBy("model").limit(o.rows).execute();
    return rows.map((r) => ({
      day: Number(r.day),
      model: r.model,
      person: r.person_id,
      requests: Number(r.requests),
      promptTokens: Number(r.prompt),
      completionTokens: Number(r.completion),
      costUsd: Number(r.cost),
    }));
  }

  /** Counts a key's requests as a person's (a key adopted as a person). */
  async attribute(apiKeyId: string, personId: string): Promise<void> {
    await this.db
      .updateTable("request_log")
      .set({ person_id: personId })
      .where("api_key_id", "=", apiKeyId)
      .where("person_id", "is", null)
      .execute();
  }

  async recent(limit = 50, since?: number): Promise<RequestLogRow[]> {
    let q = this.db.selectFrom("request_log").selectAll().orderBy("created_at", "desc").limit(limit);
    if (since !== undefined) q = q.where("created_at", ">=", since);
    return q.execute();
  }
}

/**
 * Buffers log entries and writes them in batches, off the request path: one transaction per batch instead of a
 * write per request. Entries are written at most `intervalMs` after they arrive, and on `close()`.
 */
export class BufferedRequestLogWriter {
  private buffer: RequestLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: RequestLog,
    private readonly onError: (err: unknown, lost: number) => void,
    private readonly intervalMs = 200,
    private readonly maxBatch = 500,
  ) {}

  write(entry: RequestLogEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Resolves when everything written before the call is in the store. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      try {
        await this.log.append(batch);
      } catch (err) {
        this.onError(err, batch.length);
      }
    });
    return this.flushing;
  }
}
