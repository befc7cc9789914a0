import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { Database } from "../database.ts";
import { sqliteVecFailure } from "../open.ts";
import { type Quantized, quantize } from "./int8-scan.ts";
import { bumpVersions, type Nearest, unit, VectorCache } from "./vector-cache.ts";
import { closeInWorker, loadInWorker } from "./vector-load.ts";

export type { Nearest } from "./vector-cache.ts";

/** A passage's vector, with the owner tag of its document (see KnowledgeStore). */
export interface PassageVector {
  chunkId: number;
  ownerTag: string;
  vector: Float32Array;
}

/** Where one model's vectors are kept and searched; writes run in the caller's transaction. */
export interface VectorIndex {
  write(tx: Kysely<Database>, model: string, rows: readonly PassageVector[]): Promise<void>;
  /** The `k` passages nearest `query` among those of the owner tags given, nearest first. */
  nearest(model: string, ownerTags: readonly string[], query: Float32Array, k: number): Promise<Nearest[]>;
  /** Before a document's passages are deleted: their vectors, of every model. */
  forget(tx: Kysely<Database>, documentId: string, ownerTag: string): Promise<void>;
  close(): Promise<void>;
}

const bytesOf = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const floatsOf = (b: Uint8Array) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/** The length of a model's vectors, registered with the first of them; a model whose vectors change length is refused. */
async function register(tx: Kysely<Database>, model: string, dims: number): Promise<boolean> {
  const known = await tx.selectFrom("kb_vector_models").select("dims").where("model", "=", model).executeTakeFirst();
  if (known && known.dims !== dims)
    throw new Error(`model ${model} now gives vectors of ${dims} dimensions; the stored ones have ${known.dims}`);
  if (!known) await tx.insertInto("kb_vector_models").values({ model, dims }).execute();
  return !known;
}

/**
 * SQLite: one sqlite-vec vec0 table per model, keyed by passage, with the owner tag as its partition key, so one
 * owner's vectors are read back without the others'. Searched from the in-process copies of VectorCache: vec0's own
 * exact KNN took 40 ms at 100,000 × 256 on one owner, the int8 copy takes under 2 ms. Vectors are stored at unit length.
 */
export class SqliteVectors implements VectorIndex {
  private readonly tables = new Map<string, string>();
  private readonly cache: VectorCache;
  /** The database file ("" in memory). */
  private path?: string;
  constructor(private readonly db: Kysely<Database>) {
    this.cache = new VectorCache(db, (model, tag) => this.load(model, tag));
  }

  private static tableOf(model: string, dims: number) {
    return `kb_vec_${createHash("sha256").update(model).digest("hex").slice(0, 16)}_${dims}`;
  }

  private async table(model: string): Promise<string | undefined> {
    const cached = this.tables.get(model);
    if (cached) return cached;
    const known = await this.db.selectFrom("kb_vector_models").select("dims").where("model", "=", model).executeTakeFirst();
    if (!known) return undefined;
    const name = SqliteVectors.tableOf(model, known.dims);
    this.tables.set(model, name);
    return name;
  }

  async write(tx: Kysely<Database>, model: string, rows: readonly PassageVector[]): Promise<void> {
    if (!rows.length) return;
    if (sqliteVecFailure.reason) throw new Error(`vector search needs sqlite-vec, which did not load here: ${sqliteVecFailure.reason}`);
    const dims = rows[0]!.vector.length;
    const name = SqliteVectors.tableOf(model, dims);
    if (await register(tx, model, dims))
      await sql`create virtual table if not exists ${sql.id(name)} using vec0(chunk_id integer primary key, owner_tag text partition key, embedding float[${sql.lit(dims)}])`.execute(
        tx,
      );
    for (const r of rows) {
      if (r.vector.length !== dims) throw new Error(`model ${model} gave vectors of ${r.vector.length} and ${dims} dimensions`);
      await sql`insert into ${sql.id(name)} (chunk_id, owner_tag, embedding) values (cast(${r.chunkId} as integer), ${r.ownerTag}, ${bytesOf(unit(r.vector))})`.execute(
        tx,
      );
    }
    await bumpVersions(
      tx,
      model,
      rows.map((r) => r.ownerTag),
    );
  }

  nearest(model: string, ownerTags: readonly string[], query: Float32Array, k: number): Promise<Nearest[]> {
    if (sqliteVecFailure.reason) return Promise.resolve([]);
    return this.cache.nearest(model, ownerTags, query, k);
  }

  async close(): Promise<void> {
    if (this.path) closeInWorker(this.path);
  }

  /** In the loading worker, on a connection of its own, unless the store is in memory (tests). */
  private async load(model: string, tag: string): Promise<Quantized> {
    const name = await this.table(model);
    if (!name) return quantize([]);
    this.path ??=
      (await sql<{ file: string }>`select file from pragma_database_list where name = 'main'`.execute(this.db)).rows[0]?.file ?? "";
    if (this.path) return loadInWorker(this.path, name, tag);
    const rows = await sql<{ chunk_id: number; embedding: Uint8Array }>`
      select chunk_id, embedding from ${sql.id(name)} where owner_tag = ${tag}`.execute(this.db);
    return quantize(rows.rows.map((r) => ({ chunkId: Number(r.chunk_id), vector: floatsOf(r.embedding) })));
  }

  async forget(tx: Kysely<Database>, documentId: string, ownerTag: string): Promise<void> {
    const models = sqliteVecFailure.reason ? [] : await tx.selectFrom("kb_vector_models").select(["model", "dims"]).execute();
    for (const m of models)
      await sql`delete from ${sql.id(SqliteVectors.tableOf(m.model, m.dims))} where chunk_id in (select id from kb_chunks where document_id = ${documentId})`.execute(
        tx,
      );
    await bumpVersions(tx, null, [ownerTag]);
  }
}

/**
 * PostgreSQL (Debian 12's has no pgvector): vectors as float32 bytes in kb_vectors, searched from the in-process
 * copies of VectorCache. Measured at 100,000 × 256 on one owner: a dot product in SQL (unnest of two float4[]) took
 * 3.2 s a query; reading the vectors out takes about 1.4 s, once a version; the int8 scan under 2 ms.
 */
export class PgVectors implements VectorIndex {
  private readonly cache: VectorCache;
  constructor(private readonly db: Kysely<Database>) {
    this.cache = new VectorCache(db, (model, tag) => this.load(model, tag));
  }

  async write(tx: Kysely<Database>, model: string, rows: readonly PassageVector[]): Promise<void> {
    if (!rows.length) return;
    const dims = rows[0]!.vector.length;
    await register(tx, model, dims);
    for (const r of rows)
      if (r.vector.length !== dims) throw new Error(`model ${model} gave vectors of ${r.vector.length} and ${dims} dimensions`);
    await tx
      .insertInto("kb_vectors")
      .values(rows.map((r) => ({ model, owner_tag: r.ownerTag, chunk_id: r.chunkId, vector: bytesOf(unit(r.vector)) })))
      .execute();
    await bumpVersions(
      tx,
      model,
      rows.map((r) => r.ownerTag),
    );
  }

  async forget(tx: Kysely<Database>, documentId: string, ownerTag: string): Promise<void> {
    await sql`delete from kb_vectors where chunk_id in (select id from kb_chunks where document_id = ${documentId})`.execute(tx);
    await bumpVersions(tx, null, [ownerTag]);
  }

  nearest(model: string, ownerTags: readonly string[], query: Float32Array, k: number): Promise<Nearest[]> {
    return this.cache.nearest(model, ownerTags, query, k);
  }

  async close(): Promise<void> {}

  /** A page of 5,000 rows at a time (in key order), so that decoding 100,000 never holds the event loop long. */
  private async load(model: string, tag: string): Promise<Quantized> {
    const pages: Quantized[] = [];
    for (let after = -1; ; ) {
      const rows = await this.db
        .selectFrom("kb_vectors")
        .select(["chunk_id", "vector"])
        .where("model", "=", model)
        .where("owner_tag", "=", tag)
        .where("chunk_id", ">", after)
        .orderBy("chunk_id")
        .limit(5000)
        .execute();
      if (!rows.length) break;
      pages.push(quantize(rows.map((r) => ({ chunkId: Number(r.chunk_id), vector: floatsOf(r.vector) }))));
      after = Number(rows.at(-1)!.chunk_id);
      await new Promise((r) => setImmediate(r));
    }
    return joined(pages);
  }
}

/** Pages of quantized vectors as one. */
function joined(pages: Quantized[]): Quantized {
  if (pages.length <= 1) return pages[0] ?? quantize([]);
  const count = pages.reduce((n, p) => n + p.ids.length, 0);
  const codes = new Int8Array(pages.reduce((n, p) => n + p.codes.length, 0));
  const all = { ids: new Float64Array(count), dims: pages[0]!.dims, codes, scales: new Float32Array(count) };
  let [i, c] = [0, 0];
  for (const p of pages) {
    all.ids.set(p.ids, i);
    all.scales.set(p.scales, i);
    all.codes.set(p.codes, c);
    i += p.ids.length;
    c += p.codes.length;
  }
  return all;
}
