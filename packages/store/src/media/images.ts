import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { ImagesTable } from "./tables.ts";

export type ImageRow = Selectable<ImagesTable>;
export type ImageInfo = Omit<ImageRow, "bytes">;

/** Generated images and their bytes, each its owner's. */
export class ImageStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(i: Omit<ImageRow, "id" | "created_at">, at = Date.now()): Promise<ImageInfo> {
    const id = `img-${randomUUID()}`;
    await this.db
      .insertInto("images")
      .values({ ...i, id, created_at: at })
      .execute();
    const { bytes: _, ...info } = { ...i, id, created_at: at };
    return info;
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
}
