import { createHash, randomUUID } from "node:crypto";
import { sql, SqliteAdapter, type ExpressionBuilder, type Kysely, type Selectable } from "kysely";
import type { Database } from "../database.ts";
import { fuse } from "./fuse.ts";
import type { KbDocumentsTable } from "./tables.ts";
import { PgVectors, SqliteVectors, type VectorIndex } from "./vectors.ts";

export type KbDocument = Selectable<KbDocumentsTable>;
export interface KbChunk {
  page: number | null;
  text: string;
  /** The chunk's words separated by spaces (see the assistant's `terms`). */
  terms: string;
}
export interface KbHit {
  documentId: string;
  title: string;
  source: string;
  page: number | null;
  text: string;
  /** Higher is better; comparable within one search only. */
  score: number;
  /** Ranked by keywords and meaning together (reciprocal rank fusion): scores are ranks, not strengths of a match. */
  fused?: boolean;
}

/** A query as a vector of the market's embedding model: passages with that model's vector are searched by meaning too. */
export interface QueryVector {
  model: string;
  values: Float32Array;
}

export interface SearchOptions {
  /** The question as the person wrote it (for embedding it; the store itself searches `terms`). */
  text?: string;
  vector?: QueryVector;
}

/** A document's embedding with one model: passages done of all, and why it stopped when it failed. */
export interface EmbeddingProgress {
  done: number;
  total: number;
  error: string | null;
}

/** Another worker stored vectors of this document's passages first. */
export class EmbeddingConflictError extends Error {
  constructor(readonly documentId: string) {
    super(`${documentId} was embedded further by another worker`);
    this.name = "EmbeddingConflictError";
  }
}

/** A document refused because its owner's documents would take more than their quota. */
export class KnowledgeQuotaError extends Error {
  constructor(
    readonly used: number,
    readonly adding: number,
    readonly quota: number,
  ) {
    super(`the documents would take ${used + adding} bytes, over the quota of ${quota}`);
    this.name = "KnowledgeQuotaError";
  }
}

/** The documents a user searches: their own and the shared ones (owner SHARED: the starter corpus). */
export const SHARED = "*";

/** An owner as one word for the full-text index (letters and digits only, so the tokenizer keeps it whole). */
export const ownerTag = (owner: string | null) =>
  owner === SHARED ? "oshared" : owner === null ? "onone" : `o${createHash("sha256").update(owner).digest("hex").slice(0, 24)}`;

/** Full-text search over document chunks: FTS5 with BM25 on SQLite, tsvector with ts_rank_cd on PostgreSQL. */
export class KnowledgeStore {
  private readonly sqlite: boolean;
  /** Passages per word, for leaving common words out of queries; cleared on every write from this process. */
  private readonly df = new Map<string, number>();
  private readonly vectors: VectorIndex;
  constructor(private readonly db: Kysely<Database>) {
    this.sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
    this.vectors = this.sqlite ? new SqliteVectors(db) : new PgVectors(db);
  }

  /** Lets go of what vector search holds for this store (the loading worker's connection to its file). */
  close(): Promise<void> {
    return this.vectors.close();
  }

  /**
   * Adds a document and its chunks in one transaction: a document is searchable whole or not at all. With
   * `maxOwnerBytes`, throws KnowledgeQuotaError, writing nothing, when the owner's documents (see `ownerBytes`)
   * would take more.
   */
  async add(
    doc: { owner: string | null; title: string; source: string; mime: string; bytes: number; pages?: number | null },
    chunks: readonly KbChunk[],
    at = Date.now(),
    o: { maxOwnerBytes?: number } = {},
  ): Promise<KbDocument> {
    const row: KbDocument = {
      id: `doc-${randomUUID()}`,
      owner: doc.owner,
      created_at: at,
      title: doc.title,
      source: doc.source,
      mime: doc.mime,
      bytes: doc.bytes,
      chunks: chunks.length,
      pages: doc.pages ?? null,
    };
    await this.db.transaction().execute(async (tx) => {
      if (o.maxOwnerBytes !== undefined) {
        // One owner's uploads at a time on PostgreSQL, so two cannot both fit the same room (SQLite writes one at a time).
        if (!this.sqlite) await sql`select pg_advisory_xact_lock(hashtext(${`kb:${doc.owner ?? ""}`}))`.execute(tx);
        const used = await this.ownerBytes(doc.owner, tx);
        const adding = doc.bytes + chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0);
        if (used + adding > o.maxOwnerBytes) throw new KnowledgeQuotaError(used, adding, o.maxOwnerBytes);
      }
      await tx.insertInto("kb_documents").values(row).execute();
      for (let i = 0; i < chunks.length; i += 200) {
        await tx
          .insertInto("kb_chunks")
          .values(
            chunks.slice(i, i + 200).map((c, j) => ({
              document_id: row.id,
              ord: i + j,
              page: c.page,
              text: c.text,
              terms: c.terms,
              owner_tag: ownerTag(doc.owner),
            })),
          )
          .execute();
      }
    });
    this.df.clear();
    return row;
  }

  /** What an owner's documents take: their files' sizes plus the bytes of their stored passages. */
  async ownerBytes(owner: string | null, db: Kysely<Database> = this.db): Promise<number> {
    const own = owner === null ? sql`d.owner is null` : sql`d.owner = ${owner}`;
    // octet_length, in both databases: the size in bytes, without counting characters.
    const r = await sql<{ files: number | string | null; text: number | string | null }>`
      select (select sum(d.bytes) from kb_documents d where ${own}) as files,
             (select sum(octet_length(c.text)) from kb_chunks c join kb_documents d on d.id = c.document_id where ${own}) as text`.execute(
      db,
    );
    return Number(r.rows[0]?.files ?? 0) + Number(r.rows[0]?.text ?? 0);
  }

  private visible(owner: string | null) {
    return (eb: ExpressionBuilder<Database, "kb_documents">) =>
      eb.or([
        eb("kb_documents.owner", "=", SHARED),
        owner === null ? eb("kb_documents.owner", "is", null) : eb("kb_documents.owner", "=", owner),
      ]);
  }

  list(owner: string | null): Promise<KbDocument[]> {
    return this.db.selectFrom("kb_documents").selectAll().where(this.visible(owner)).orderBy("created_at", "desc").execute();
  }

  /** Deletes one of the owner's documents (shared ones are not theirs to delete). */
  async delete(id: string, owner: string | null): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const own = await tx
        .selectFrom("kb_documents")
        .select("id")
        .where("id", "=", id)
        .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
        .executeTakeFirst();
      if (!own) return false;
      await this.vectors.forget(tx, id, ownerTag(owner));
      await tx.deleteFrom("kb_chunks").where("document_id", "=", id).execute();
      await tx.deleteFrom("kb_documents").where("id", "=", id).execute();
      this.df.clear();
      return true;
    });
  }

  async hasSource(source: string, owner: string): Promise<boolean> {
    return !!(await this.db
      .selectFrom("kb_documents")
      .select("id")
      .where("source", "=", source)
      .where("owner", "=", owner)
      .executeTakeFirst());
  }

  /**
   * The best passages for an FTS5 query over the terms, among the owner's and the shared ones. The index ranks
   * without the owner first (a tag that every passage of a large owner carries makes ranking several times
   * slower), keeping the allowed ones among the top 40; only when those are too few, and more matches exist, is
   * the owner made part of the match, which is exact whatever share of the index the owner has.
   */
  private async ftsSearch(owner: string | null, terms: string, limit: number): Promise<Array<KbHit & { id: number }>> {
    const tags = [ownerTag(SHARED), ownerTag(owner)];
    const wide = Math.max(40, limit * 4);
    let top = (
      await sql<{
        id: number;
        rank: number;
      }>`select rowid as id, rank from kb_fts where kb_fts match ${`terms : (${terms})`} order by rank limit ${wide}`.execute(this.db)
    ).rows;
    if (top.length) {
      const allowed = new Set(
        (
          await this.db
            .selectFrom("kb_chunks")
            .select("id")
            .where(
              "id",
              "in",
              top.map((t) => t.id),
            )
            .where("owner_tag", "in", tags)
            .execute()
        ).map((r) => r.id),
      );
      const mine = top.filter((t) => allowed.has(t.id));
      top =
        mine.length >= limit || top.length < wide
          ? mine.slice(0, limit)
          : (
              await sql<{
                id: number;
                rank: number;
              }>`select rowid as id, rank from kb_fts where kb_fts match ${`owner_tag : (${tags.map((t) => `"${t}"`).join(" OR ")}) AND terms : (${terms})`} order by rank limit ${limit}`.execute(
                this.db,
              )
            ).rows;
    }
    if (!top.length) return [];
    const rows = await this.db
      .selectFrom("kb_chunks as c")
      .innerJoin("kb_documents as d", "d.id", "c.document_id")
      .select(["c.id", "c.document_id", "d.title", "d.source", "c.page", "c.text"])
      .where(
        "c.id",
        "in",
        top.map((t) => t.id),
      )
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return top.flatMap((t) => {
      const r = byId.get(t.id);
      return r
        ? [{ id: t.id, documentId: r.document_id, title: r.title, source: r.source, page: r.page, text: r.text, score: -t.rank }]
        : [];
    });
  }

  /** Search within a few documents: a join on their few passages, any word matching, ranked by the index. */
  private async searchIn(owner: string | null, words: string[], limit: number, documents: readonly string[]): Promise<KbHit[]> {
    if (!documents.length) return [];
    const ownerOk = owner === null ? sql`(d.owner = ${SHARED} or d.owner is null)` : sql`(d.owner = ${SHARED} or d.owner = ${owner})`;
    const docs = sql.join(documents.map((d) => sql`${d}`));
    const rows = this.sqlite
      ? await sql<{ document_id: string; title: string; source: string; page: number | null; text: string; score: number }>`
          select c.document_id, d.title, d.source, c.page, c.text, -kb_fts.rank as score
          from kb_fts join kb_chunks c on c.id = kb_fts.rowid join kb_documents d on d.id = c.document_id
          where kb_fts match ${`terms : (${words.map((w) => `"${w}"`).join(" OR ")})`} and c.document_id in (${docs}) and ${ownerOk}
          order by kb_fts.rank limit ${limit}`.execute(this.db)
      : await sql<{ document_id: string; title: string; source: string; page: number | null; text: string; score: number }>`
          select c.document_id, d.title, d.source, c.page, c.text, ts_rank_cd(c.tsv, q) as score
          from kb_chunks c join kb_documents d on d.id = c.document_id, to_tsquery('simple', ${words.join(" | ")}) q
          where c.tsv @@ q and c.document_id in (${docs}) and ${ownerOk}
          order by score desc limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({
      documentId: r.document_id,
      title: r.title,
      source: r.source,
      page: r.page,
      text: r.text,
      score: Number(r.score),
    }));
  }

  /**
   * The words of a query worth matching: those in at most a tenth of all passages. Words like 的 or "the" are in
   * most of them; BM25 gives them almost no weight, yet matching them means scoring most of the index. A query of
   * only common words keeps its two rarest. Small indexes (under 1,000 passages) are fast either way: all words.
   */
  private async distinctive(words: string[]): Promise<string[]> {
    const total = Number((await sql<{ n: number | null }>`select max(id) as n from kb_chunks`.execute(this.db)).rows[0]?.n ?? 0);
    if (total < 1000) return words;
    // One lookup per word (fts5vocab seeks on `term = ?`; its cost grows with the word's passages, hence the cache).
    const df = new Map<string, number>();
    for (const w of words) {
      let n = this.df.get(w);
      if (n === undefined) {
        n = (await sql<{ doc: number }>`select doc from kb_vocab where term = ${w}`.execute(this.db)).rows[0]?.doc ?? 0;
        if (this.df.size > 100_000) this.df.clear();
        this.df.set(w, n);
      }
      if (n) df.set(w, n);
    }
    const known = words.filter((w) => df.has(w));
    const rare = known.filter((w) => df.get(w)! <= total / 10);
    return rare.length
      ? rare
      : known
          .sort((a, b) => df.get(a)! - df.get(b)!)
          .slice(0, 2)
          .concat(known.length ? [] : words);
  }

  /**
   * A document the owner may read (theirs or shared) with its first `limit` passages in order; undefined when it
   * is not one they may read.
   */
  async passages(
    id: string,
    owner: string | null,
    limit: number,
  ): Promise<{ document: KbDocument; passages: Array<{ seq: number; page: number | null; text: string }> } | undefined> {
    const document = await this.db
      .selectFrom("kb_documents")
      .selectAll()
      .where("id", "=", id)
      .where(this.visible(owner))
      .executeTakeFirst();
    if (!document) return undefined;
    const rows = await this.db
      .selectFrom("kb_chunks")
      .select(["ord", "page", "text"])
      .where("document_id", "=", id)
      .orderBy("ord")
      .limit(limit)
      .execute();
    return { document, passages: rows.map((r) => ({ seq: r.ord, page: r.page, text: r.text })) };
  }

  /** The first passages of some of the owner's (or shared) documents, in order: for "summarise this". */
  async opening(owner: string | null, documents: readonly string[], limit = 5): Promise<KbHit[]> {
    if (!documents.length) return [];
    const rows = await this.db
      .selectFrom("kb_chunks as c")
      .innerJoin("kb_documents as d", "d.id", "c.document_id")
      .select(["c.document_id", "d.title", "d.source", "c.page", "c.text"])
      .where("c.document_id", "in", documents)
      .where((eb) => eb.or([eb("d.owner", "=", SHARED), owner === null ? eb("d.owner", "is", null) : eb("d.owner", "=", owner)]))
      .orderBy("c.document_id")
      .orderBy("c.ord")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ documentId: r.document_id, title: r.title, source: r.source, page: r.page, text: r.text, score: 0 }));
  }

  /**
   * The best chunks for `terms` (words, any of which may match), best first; `documents` limits the search to
   * those (a message's attachments).
   */
  async search(
    owner: string | null,
    terms: readonly string[],
    limit = 5,
    documents?: readonly string[],
    o: SearchOptions = {},
  ): Promise<KbHit[]> {
    if (o.vector && !documents) return this.hybrid(owner, terms, o.vector, limit);
    return this.keywordSearch(owner, terms, limit, documents);
  }

  /**
   * Keywords and meaning: the best passages by BM25 and the nearest by vector (only those with a vector of the
   * query's model), each list kept to the hits at least half as good as its best (as `relevant` keeps BM25's), fused
   * by reciprocal rank.
   */
  private async hybrid(owner: string | null, terms: readonly string[], vector: QueryVector, limit: number): Promise<KbHit[]> {
    const depth = Math.max(20, limit * 4);
    const tags = [ownerTag(SHARED), ownerTag(owner)];
    const [keywords, nearest] = await Promise.all([
      // As deep as the vectors' list, but the slower search for any of the words only where BM25 alone would make it.
      this.keywordSearch(owner, terms, depth, undefined, true, limit),
      this.vectors.nearest(vector.model, tags, vector.values, depth),
    ]);
    const strong = nearest.filter((n) => n.similarity > 0 && n.similarity >= nearest[0]!.similarity / 2);
    const rows = strong.length
      ? await this.hitsOf(
          strong.map((n) => n.chunkId),
          tags,
        )
      : new Map<number, KbHit>();
    const byMeaning = strong.flatMap((n) => {
      const h = rows.get(n.chunkId);
      return h ? [{ ...h, id: n.chunkId, score: n.similarity }] : [];
    });
    const byWords = keywords.filter((h) => h.score >= keywords[0]!.score / 2);
    return fuse([byWords, byMeaning], limit).map(({ id: _, ...h }) => ({ ...h, fused: true }));
  }

  /**
   * Passages by id, with their documents: only those of `tags`. A copy of vectors a moment behind may name a passage
   * deleted since, and SQLite gives a deleted passage's id to the next one added, maybe someone else's.
   */
  private async hitsOf(ids: readonly number[], tags: readonly string[]): Promise<Map<number, KbHit>> {
    const rows = await this.db
      .selectFrom("kb_chunks as c")
      .innerJoin("kb_documents as d", "d.id", "c.document_id")
      .select(["c.id", "c.document_id", "d.title", "d.source", "c.page", "c.text"])
      .where("c.id", "in", ids)
      .where("c.owner_tag", "in", tags)
      .execute();
    return new Map(
      rows.map((r) => [
        Number(r.id),
        { documentId: r.document_id, title: r.title, source: r.source, page: r.page, text: r.text, score: 0 },
      ]),
    );
  }

  private async keywordSearch(
    owner: string | null,
    terms: readonly string[],
    limit: number,
    documents: readonly string[] | undefined,
    withIds: true,
    enough?: number,
  ): Promise<Array<KbHit & { id: number }>>;
  private async keywordSearch(
    owner: string | null,
    terms: readonly string[],
    limit: number,
    documents?: readonly string[],
  ): Promise<KbHit[]>;
  private async keywordSearch(
    owner: string | null,
    terms: readonly string[],
    limit: number,
    documents?: readonly string[],
    withIds = false,
    /** Hits holding all the distinctive words that make the slower search for any of them needless. */
    enough = limit,
  ): Promise<Array<KbHit & { id?: number }>> {
    const words = [...new Set(terms.map((t) => t.replace(/[^\p{L}\p{N}_]+/gu, "")).filter(Boolean))].slice(0, 32);
    if (!words.length) return [];
    if (documents) return this.searchIn(owner, words, limit, documents);
    if (this.sqlite) {
      // Passages holding all the distinctive words first (an intersection: few rows to rank), then, if those are
      // not enough, passages holding any of them.
      const wanted = await this.distinctive(words);
      const quoted = wanted.map((w) => `"${w}"`);
      let hits = await this.ftsSearch(owner, quoted.join(" AND "), limit);
      if (hits.length < enough && wanted.length > 1) {
        const seen = new Set(hits.map((h) => h.id));
        hits = [...hits, ...(await this.ftsSearch(owner, quoted.join(" OR "), limit)).filter((h) => !seen.has(h.id))].slice(0, limit);
      }
      return withIds ? hits : hits.map(({ id: _, ...h }) => h);
    }
    const query = words.join(" | ");
    const rows = await sql<{
      id: number;
      document_id: string;
      title: string;
      source: string;
      page: number | null;
      text: string;
      score: number;
    }>`
      select c.id, c.document_id, d.title, d.source, c.page, c.text, ts_rank_cd(c.tsv, q) as score
      from kb_chunks c join kb_documents d on d.id = c.document_id, to_tsquery('simple', ${query}) q
      where c.tsv @@ q and (d.owner = ${SHARED} or ${owner === null ? sql`d.owner is null` : sql`d.owner = ${owner}`})
      order by score desc limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({
      ...(withIds && { id: Number(r.id) }),
      documentId: r.document_id,
      title: r.title,
      source: r.source,
      page: r.page,
      text: r.text,
      score: Number(r.score),
    }));
  }

  /**
   * Documents whose passages lack `model`'s vectors and whose embedding has not failed (a paused one has not),
   * oldest first, after `after` (the last one a run has seen, so that a run reads the list once), with their owner
   * (whom the work is for).
   */
  async toEmbed(
    model: string,
    limit: number,
    after?: { createdAt: number; id: string },
  ): Promise<Array<{ id: string; createdAt: number; done: number; total: number; owner: string | null }>> {
    // A row-value comparison, which both databases answer from the (created_at, id) index.
    const from = after ? sql`and (d.created_at, d.id) > (${after.createdAt}, ${after.id})` : sql``;
    const rows = await sql<{ id: string; created_at: number; chunks: number; done: number | null; owner: string | null }>`
      select d.id, d.created_at, d.chunks, d.owner, e.done from kb_documents d
      left join kb_embeddings e on e.document_id = d.id and e.model = ${model}
      where d.chunks > 0 and (e.document_id is null or (e.done < d.chunks and (e.error is null or e.paused = 1))) ${from}
      order by d.created_at, d.id limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({
      id: r.id,
      createdAt: Number(r.created_at),
      done: Number(r.done ?? 0),
      total: Number(r.chunks),
      owner: r.owner,
    }));
  }

  /** A document's passages from `from` (in order), with the owner tag their vectors are kept under. */
  async passagesFrom(documentId: string, from: number, limit: number): Promise<Array<{ id: number; text: string; ownerTag: string }>> {
    const rows = await this.db
      .selectFrom("kb_chunks")
      .select(["id", "text", "owner_tag"])
      .where("document_id", "=", documentId)
      .where("ord", ">=", from)
      .orderBy("ord")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), text: r.text, ownerTag: r.owner_tag }));
  }

  /**
   * Stores the vectors of some documents' next passages with their progress, all or nothing: each document's `from`
   * is the progress they follow; when another worker has moved one since, throws EmbeddingConflictError naming it.
   */
  async addVectors(
    model: string,
    documents: ReadonlyArray<{
      documentId: string;
      from: number;
      vectors: ReadonlyArray<{ chunkId: number; ownerTag: string; vector: Float32Array }>;
    }>,
    at = Date.now(),
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const { documentId, from, vectors } of documents) {
        const moved = await sql<{ done: number }>`
          insert into kb_embeddings (document_id, model, done, error, paused, updated_at) values (${documentId}, ${model}, ${from + vectors.length}, null, 0, ${at})
          on conflict (document_id, model) do update set done = excluded.done, error = null, paused = 0, updated_at = excluded.updated_at
          where kb_embeddings.done = ${from} and (kb_embeddings.error is null or kb_embeddings.paused = 1)
          returning done`.execute(tx);
        if (!moved.rows.length) throw new EmbeddingConflictError(documentId);
      }
      await this.vectors.write(
        tx,
        model,
        documents.flatMap((d) => d.vectors),
      );
    });
  }

  /** Records why a document's embedding stopped; the passages embedded so far keep their vectors. */
  async embeddingFailed(documentId: string, model: string, error: string, at = Date.now()): Promise<void> {
    await sql`insert into kb_embeddings (document_id, model, done, error, paused, updated_at) values (${documentId}, ${model}, 0, ${error}, 0, ${at})
      on conflict (document_id, model) do update set error = excluded.error, paused = 0, updated_at = excluded.updated_at`.execute(this.db);
  }

  /**
   * Records why a document's embedding stopped for now, for a reason not the document's (the model's configuration,
   * its owner's quota): it says so as a failed one does, and is tried again at the next run.
   */
  async embeddingPaused(documentId: string, model: string, error: string, at = Date.now()): Promise<void> {
    await sql`insert into kb_embeddings (document_id, model, done, error, paused, updated_at) values (${documentId}, ${model}, 0, ${error}, 1, ${at})
      on conflict (document_id, model) do update set error = excluded.error, paused = 1, updated_at = excluded.updated_at`.execute(this.db);
  }

  /** Lets a failed embedding of one of the owner's documents (or a shared one) be tried again; false if not theirs. */
  async retryEmbedding(documentId: string, owner: string | null, model: string): Promise<boolean> {
    const doc = await this.db
      .selectFrom("kb_documents")
      .select("id")
      .where("id", "=", documentId)
      .where(this.visible(owner))
      .executeTakeFirst();
    if (!doc) return false;
    await this.db
      .updateTable("kb_embeddings")
      .set({ error: null, paused: 0 })
      .where("document_id", "=", documentId)
      .where("model", "=", model)
      .execute();
    return true;
  }

  /** How far each of the documents is embedded with `model`. */
  async embeddingProgress(documentIds: readonly string[], model: string): Promise<Map<string, EmbeddingProgress>> {
    if (!documentIds.length) return new Map();
    const rows = await this.db
      .selectFrom("kb_documents as d")
      .leftJoin("kb_embeddings as e", (j) => j.onRef("e.document_id", "=", "d.id").on("e.model", "=", model))
      .select(["d.id", "d.chunks", "e.done", "e.error"])
      .where("d.id", "in", documentIds)
      .execute();
    return new Map(rows.map((r) => [r.id, { done: Number(r.done ?? 0), total: Number(r.chunks), error: r.error ?? null }]));
  }
}
