import { randomUUID } from "node:crypto";
import { sql, SqliteAdapter, type Kysely, type Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { ImagesTable } from "./tables.ts";

export type ImageRow = Selectable<ImagesTable>;
export type ImageInfo = Omit<ImageRow, "bytes">;
/** An image as its row says, with the size of its bytes in their place. */
export type ImageSized = ImageInfo & { byteLength: number };

/** An image refused because its owner's images would take more than their quota. */
export class ImageQuotaError extends Error {
  constructor(
    readonly used: number,
    readonly adding: number,
    readonly quota: number,
  ) {
    super(`the images would take ${used + adding} bytes, over the quota of ${quota}`);
    this.name = "ImageQuotaError";
  }
}

const info = ["id", "owner", "created_at", "prompt", "model", "size", "seed", "mime"] as const;
// octet_length, in both databases: the size in bytes, read without the bytes (SQLite's record header, PostgreSQL's
// TOAST pointer).
const byteLength = sql<number | string>`octet_length(bytes)`;

/** Generated and uploaded images and their bytes, each its owner's. */
export class ImageStore {
  private readonly sqlite: boolean;
  constructor(private readonly db: Kysely<Database>) {
    this.sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  }

  /**
   * Keeps an image. With `maxOwnerBytes`, throws ImageQuotaError, writing nothing, when the owner's images (see
   * `usage`) would take more.
   */
  async add(i: Omit<ImageRow, "id" | "created_at">, at = Date.now(), o: { maxOwnerBytes?: number } = {}): Promise<ImageInfo> {
    const id = `img-${randomUUID()}`;
    await this.db.transaction().execute(async (tx) => {
      if (o.maxOwnerBytes !== undefined) {
        // One owner's images at a time on PostgreSQL, so two cannot both fit the same room (SQLite writes one at a time).
        if (!this.sqlite) await sql`select pg_advisory_xact_lock(hashtext(${`img:${i.owner ?? ""}`}))`.execute(tx);
        const { bytes: used } = await this.usage(i.owner, tx);
        if (used + i.bytes.length > o.maxOwnerBytes) throw new ImageQuotaError(used, i.bytes.length, o.maxOwnerBytes);
      }
      await tx
        .insertInto("images")
        .values({ ...i, id, created_at: at })
        .execute();
    });
    const { bytes: _, ...kept } = { ...i, id, created_at: at };
    return kept;
  }

  async get(id: string, owner: string | null): Promise<ImageRow | undefined> {
    const r = await this.db
      .selectFrom("images")
      .selectAll()
      .where("id", "=", id)
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .executeTakeFirst();
    return r && { ...r, bytes: Buffer.from(r.bytes) };
  }

  /** Those of `ids` that are the owner's, with their sizes and without their bytes. */
  async owned(ids: readonly string[], owner: string | null): Promise<ImageSized[]> {
    if (!ids.length) return [];
    const rows = await this.db
      .selectFrom("images")
      .select([...info, byteLength.as("byte_length")])
      .where("id", "in", [...new Set(ids)])
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .execute();
    return rows.map(({ byte_length, ...r }) => ({ ...r, byteLength: Number(byte_length) }));
  }

  /** How many images the owner keeps, drawn and uploaded, and the bytes they take. */
  async usage(owner: string | null, db: Kysely<Database> = this.db): Promise<{ images: number; bytes: number }> {
    const r = await db
      .selectFrom("images")
      .select((eb) => [eb.fn.countAll<number | string>().as("images"), eb.fn.sum<number | string | null>(byteLength).as("bytes")])
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .executeTakeFirst();
    return { images: Number(r?.images ?? 0), bytes: Number(r?.bytes ?? 0) };
  }

  /** Deletes one of the owner's images; false when there is none of theirs by that id. */
  async delete(id: string, owner: string | null): Promise<boolean> {
    const r = await this.db
      .deleteFrom("images")
      .where("id", "=", id)
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
