import { type Kysely, sql } from "kysely";
import type { Database } from "../database.ts";
import { Int8Matrix, type Quantized } from "./int8-scan.ts";

/** One of the nearest passages: its id and cosine similarity to the query (1 is the same direction). */
export interface Nearest {
  chunkId: number;
  similarity: number;
}

interface Copy {
  version: number;
  matrix: Int8Matrix;
  loadedAt: number;
  loadMs: number;
}

/** Vectors from which a copy may be used a version behind for a while (about 50 ms to load at 256 dimensions). */
const BIG = 10_000;

export const unit = (v: Float32Array): Float32Array => {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
};

/**
 * After a write (of `model`'s vectors) or a delete (`null`: of every model's), in the writer's transaction: every
 * instance's copy of these owners' vectors is stale. A row is made where none was (an owner whose copy was loaded at
 * version 0, as every owner of a store from before 0021 is).
 */
export async function bumpVersions(tx: Kysely<Database>, model: string | null, tags: Iterable<string>): Promise<void> {
  const models = model === null ? sql`select model from kb_vector_models` : sql`select ${model} as model`;
  for (const tag of new Set(tags))
    await sql`insert into kb_vector_versions (model, owner_tag, version) select m.model, ${tag}, 1 from (${models}) m where true
      on conflict (model, owner_tag) do update set version = kb_vector_versions.version + 1`.execute(tx);
}

/**
 * Searches kept in this process: a copy of one owner's vectors of one model, quantized to int8 (a quarter of their
 * float32 size), scanned whole at each query (int8-scan.ts) — exact search but for int8's rounding, with no index
 * to build or keep in step. A copy is reloaded when kb_vector_versions says its owner's vectors changed (any
 * instance's write or delete bumps it); but a copy of BIG vectors or more is still used a version behind while
 * younger than ten times its load took: a big owner whose vectors change all the time (a re-embedding) spends at
 * most a tenth of the time reloading, and small ones, quick to reload, are never stale. Copies of the least recently searched owners go first past `maxBytes`.
 */
export class VectorCache {
  /** Least recently searched first. */
  private readonly copies = new Map<string, Copy>();
  private readonly loading = new Map<string, Promise<Copy>>();
  private bytes = 0;

  constructor(
    private readonly db: Kysely<Database>,
    /** All of one owner tag's vectors of a model, quantized (see int8-scan.ts), read without holding up the event loop. */
    private readonly load: (model: string, tag: string) => Promise<Quantized>,
    private readonly maxBytes = 256 * 1024 * 1024,
  ) {}

  /** The `k` passages nearest `query` among those of the owner tags given, nearest first. */
  async nearest(model: string, ownerTags: readonly string[], query: Float32Array, k: number): Promise<Nearest[]> {
    const tags = [...new Set(ownerTags)];
    const known = await this.db
      .selectFrom("kb_vector_versions")
      .select(["owner_tag", "version"])
      .where("model", "=", model)
      .where("owner_tag", "in", tags)
      .execute();
    const versions = new Map(known.map((v) => [v.owner_tag, Number(v.version)]));
    const q = unit(query);
    const best: Nearest[] = [];
    let floor = -Infinity;
    for (const tag of tags) {
      const { matrix } = await this.copy(model, tag, versions.get(tag) ?? 0);
      if (matrix.dims !== q.length) continue;
      const dots = matrix.dots(q);
      const ids = matrix.ids;
      for (let i = 0; i < ids.length; i++) {
        if (best.length >= k && dots[i]! <= floor) continue;
        best.push({ chunkId: ids[i]!, similarity: dots[i]! });
        if (best.length > k * 4) {
          best.sort((a, b) => b.similarity - a.similarity).length = k;
          floor = best[k - 1]!.similarity;
        }
      }
    }
    return best.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  private copy(model: string, tag: string, version: number): Promise<Copy> {
    const key = `${model}\0${tag}`;
    const have = this.copies.get(key);
    if (have && (have.version === version || (have.matrix.count >= BIG && performance.now() - have.loadedAt < 10 * have.loadMs))) {
      this.copies.delete(key);
      this.copies.set(key, have);
      return Promise.resolve(have);
    }
    // Searches that miss together wait for one load.
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.reload(key, model, tag, version).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async reload(key: string, model: string, tag: string, version: number): Promise<Copy> {
    const started = performance.now();
    const matrix = new Int8Matrix(await this.load(model, tag));
    const copy = { version, matrix, loadedAt: performance.now(), loadMs: performance.now() - started };
    const old = this.copies.get(key);
    if (old) {
      this.copies.delete(key);
      this.bytes -= old.matrix.bytes;
    }
    // One owner larger than the whole budget is searched from this copy and not kept.
    if (matrix.bytes > this.maxBytes) return copy;
    this.copies.set(key, copy);
    this.bytes += matrix.bytes;
    for (const [k, v] of this.copies) {
      if (this.bytes <= this.maxBytes || k === key) break;
      this.copies.delete(k);
      this.bytes -= v.matrix.bytes;
    }
    return copy;
  }
}
