import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { Database } from "../database.ts";
import { sqliteVecFailure } from "../open.ts";

/** A passage's vector, with the owner tag of its document (see KnowledgeStore). */
export interface PassageVector {
  chunkId: number;
  ownerTag: string;
  vector: Float32Array;
}

/** One of the nearest passages: its id and cosine similarity to the query (1 is the same direction). */
export interface Nearest {
  chunkId: number;
  similarity: number;
}

/** Where one model's vectors are kept and searched; writes run in the caller's transaction. */
export interface VectorIndex {
  write(tx: Kysely<Database>, model: string, rows: readonly PassageVector[]): Promise<void>;
  /** The `k` passages nearest `query` among those of the owner tags given, nearest first. */
  nearest(model: string, ownerTags: readonly string[], query: Float32Array, k: number): Promise<Nearest[]>;
  /** Before a document's passages are deleted: their vectors, of every model. */
  forget(tx: Kysely<Database>, documentId: string, ownerTag: string): Promise<void>;
}

const unit = (v: Float32Array): Float32Array => {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
};

const bytesOf = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** The length of a model's vectors, registered with the first of them; a model whose vectors change length is refused. */
async function register(tx: Kysely<Database>, model: string, dims: number): Promise<boolean> {
  const known = await tx.selectFrom("kb_vector_models").select("dims").where("model", "=", model).executeTakeFirst();
  if (known && known.dims !== dims)
    throw new Error(`model ${model} now gives vectors of ${dims} dimensions; the stored ones have ${known.dims}`);
  if (!known) await tx.insertInto("kb_vector_models").values({ model, dims }).execute();
  return !known;
}

/**
 * SQLite: one sqlite-vec vec0 table per model, keyed by passage, with the owner tag as its partition key: vec0 keeps
 * each owner's vectors in their own chunks, so a person's query scans only their passages and the shared ones (two
 * KNN queries, merged). Exact search; vectors are stored at unit length, so Euclidean distance (vec0's fastest, about
 * 15% faster than its cosine) ranks as cosine does.
 */
export class SqliteVectors implements VectorIndex {
  private readonly tables = new Map<string, string>();
  constructor(private readonly db: Kysely<Database>) {}

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
  }

  async nearest(model: string, ownerTags: readonly string[], query: Float32Array, k: number): Promise<Nearest[]> {
    const name = await this.table(model);
    if (!name || sqliteVecFailure.reason) return [];
    const q = bytesOf(unit(query));
    const all: Nearest[] = [];
    for (const tag of new Set(ownerTags)) {
      const rows = await sql<{ chunk_id: number; distance: number }>`
        select chunk_id, distance from ${sql.id(name)} where embedding match ${q} and k = ${k} and owner_tag = ${tag}`.execute(this.db);
      // Euclidean distance between unit vectors: |a - b|² = 2 - 2 cos.
      for (const r of rows.rows) all.push({ chunkId: Number(r.chunk_id), similarity: 1 - (r.distance * r.distance) / 2 });
    }
    return all.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  async forget(tx: Kysely<Database>, documentId: string): Promise<void> {
    const models = sqliteVecFailure.reason ? [] : await tx.selectFrom("kb_vector_models").select(["model", "dims"]).execute();
    for (const m of models)
      await sql`delete from ${sql.id(SqliteVectors.tableOf(m.model, m.dims))} where chunk_id in (select id from kb_chunks where document_id = ${documentId})`.execute(
        tx,
      );
  }
}

interface Loaded {
  version: number;
  ids: Float64Array;
  /** The vectors end to end, `dims` floats each, unit length. */
  flat: Float32Array;
  dims: number;
}

/**
 * PostgreSQL (Debian 12's has no pgvector): vectors as float32 bytes in kb_vectors, searched exactly in this
 * process over a copy of one owner's vectors of one model, reloaded when kb_vector_versions says they changed (any
 * instance's write or delete bumps it). Measured at 100,000 × 256 on one owner: a dot product in SQL (unnest of two
 * float4[]) took 3.2 s a query; reading the vectors out took 1.4 s, once; the scan here takes about 30 ms. The cost
 * is memory: 1 KiB a passage at 256 dimensions, for the owners who search, the least recently searched dropped past
 * 256 MiB.
 */
export class PgVectors implements VectorIndex {
  /** Least recently searched first. */
  private readonly cache = new Map<string, Loaded>();
  private cachedFloats = 0;
  constructor(
    private readonly db: Kysely<Database>,
    /** The floats kept in memory at most (4 bytes each): the least recently searched owners' go first. */
    private readonly maxCachedFloats = 64 * 1024 * 1024,
  ) {}

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
    for (const tag of new Set(rows.map((r) => r.ownerTag)))
      await sql`insert into kb_vector_versions (model, owner_tag, version) values (${model}, ${tag}, 1)
        on conflict (model, owner_tag) do update set version = kb_vector_versions.version + 1`.execute(tx);
  }

  async forget(tx: Kysely<Database>, documentId: string, ownerTag: string): Promise<void> {
    await sql`delete from kb_vectors where chunk_id in (select id from kb_chunks where document_id = ${documentId})`.execute(tx);
    await sql`update kb_vector_versions set version = version + 1 where owner_tag = ${ownerTag}`.execute(tx);
  }

  private async load(model: string, tag: string, version: number): Promise<Loaded> {
    const key = `${model}\0${tag}`;
    const have = this.cache.get(key);
    if (have) {
      this.cache.delete(key);
      this.cachedFloats -= have.flat.length;
    }
    if (have?.version === version) {
      this.remember(key, have);
      return have;
    }
    const rows = await this.db
      .selectFrom("kb_vectors")
      .select(["chunk_id", "vector"])
      .where("model", "=", model)
      .where("owner_tag", "=", tag)
      .execute();
    const dims = rows.length ? rows[0]!.vector.byteLength / 4 : 0;
    const flat = new Float32Array(rows.length * dims);
    const ids = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      ids[i] = Number(r.chunk_id);
      flat.set(new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)), i * dims);
    });
    const loaded = { version, ids, flat, dims };
    this.remember(key, loaded);
    return loaded;
  }

  private remember(key: string, loaded: Loaded) {
    this.cache.set(key, loaded);
    this.cachedFloats += loaded.flat.length;
    for (const [k, v] of this.cache) {
      if (this.cachedFloats <= this.maxCachedFloats || k === key) break;
      this.cache.delete(k);
      this.cachedFloats -= v.flat.length;
    }
  }

  async nearest(model: string, ownerTags: readonly string[], query: Float32Array, k: number): Promise<Nearest[]> {
    const tags = [...new Set(ownerTags)];
    const versions = await this.db
      .selectFrom("kb_vector_versions")
      .select(["owner_tag", "version"])
      .where("model", "=", model)
      .where("owner_tag", "in", tags)
      .execute();
    const q = unit(query);
    const best: Nearest[] = [];
    for (const v of versions) {
      const { ids, flat, dims } = await this.load(model, v.owner_tag, Number(v.version));
      if (dims !== q.length) continue;
      let floor = -Infinity;
      for (let i = 0; i < ids.length; i++) {
        let dot = 0;
        const o = i * dims;
        for (let j = 0; j < dims; j++) dot += flat[o + j]! * q[j]!;
        if (best.length >= k && dot <= floor) continue;
        best.push({ chunkId: ids[i]!, similarity: dot });
        if (best.length > k * 4) {
          best.sort((a, b) => b.similarity - a.similarity).length = k;
          floor = best[k - 1]!.similarity;
        }
      }
    }
    return best.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }
}
