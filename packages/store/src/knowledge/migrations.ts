import { type Kysely, sql, SqliteAdapter } from "kysely";
import type { Migration } from "kysely/migration";

/** Bumped at every change to an owner's vectors of a model (0020 made it on PostgreSQL, 0021 on SQLite). */
const createVectorVersions = (db: Kysely<any>) =>
  db.schema
    .createTable("kb_vector_versions")
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("owner_tag", "text", (c) => c.notNull())
    .addColumn("version", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("kb_vector_versions_pk", ["model", "owner_tag"])
    .execute();

export const knowledgeMigrations: Record<string, Migration> = {
  // The knowledge base: documents (uploads, and the starter corpus shipped with benih) cut into chunks, searched by
  // full text with BM25-style ranking. `terms` is the chunk as space-separated words (Chinese split into words by
  // Intl.Segmenter before it gets here), so both databases need only a whitespace tokenizer: SQLite indexes it with
  // FTS5, PostgreSQL with a tsvector under the 'simple' configuration and a GIN index.
  "0006-knowledge": {
    async up(db: Kysely<any>): Promise<void> {
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
      await db.schema
        .createTable("kb_documents")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("owner", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("mime", "text", (c) => c.notNull())
        .addColumn("bytes", "bigint", (c) => c.notNull())
        .addColumn("chunks", "integer", (c) => c.notNull())
        .addColumn("pages", "integer")
        .execute();
      await db.schema.createIndex("kb_documents_owner").on("kb_documents").columns(["owner", "created_at"]).execute();
      await db.schema
        .createTable("kb_chunks")
        .addColumn("id", sqlite ? "integer" : "bigserial", (c) => c.primaryKey())
        .addColumn("document_id", "text", (c) => c.notNull().references("kb_documents.id").onDelete("cascade"))
        .addColumn("ord", "integer", (c) => c.notNull())
        .addColumn("page", "integer")
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("terms", "text", (c) => c.notNull())
        // The document's owner as one word (see KnowledgeStore): on SQLite it is indexed with the terms, so "this
        // user's passages" is part of the full-text match, and ranking needs no join.
        .addColumn("owner_tag", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("kb_chunks_document").on("kb_chunks").columns(["document_id", "ord"]).execute();
      if (sqlite) {
        // An external-content FTS5 table over kb_chunks (terms, owner_tag), kept in step by triggers; ranked by BM25
        // on the terms alone.
        await sql`CREATE VIRTUAL TABLE kb_fts USING fts5(terms, owner_tag, content='kb_chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`.execute(
          db,
        );
        await sql`INSERT INTO kb_fts(kb_fts, rank) VALUES ('rank', 'bm25(1.0, 0.0)')`.execute(db);
        await sql`CREATE TRIGGER kb_chunks_ai AFTER INSERT ON kb_chunks BEGIN INSERT INTO kb_fts(rowid, terms, owner_tag) VALUES (new.id, new.terms, new.owner_tag); END`.execute(
          db,
        );
        await sql`CREATE TRIGGER kb_chunks_ad AFTER DELETE ON kb_chunks BEGIN INSERT INTO kb_fts(kb_fts, rowid, terms, owner_tag) VALUES ('delete', old.id, old.terms, old.owner_tag); END`.execute(
          db,
        );
        // How many passages hold each word: a query leaves out words too common to tell passages apart.
        await sql`CREATE VIRTUAL TABLE kb_vocab USING fts5vocab(kb_fts, 'row')`.execute(db);
      } else {
        await sql`ALTER TABLE kb_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED`.execute(db);
        await sql`CREATE INDEX kb_chunks_tsv ON kb_chunks USING gin (tsv)`.execute(db);
      }
    },

    async down(db: Kysely<any>): Promise<void> {
      if (db.getExecutor().adapter instanceof SqliteAdapter) {
        await sql`DROP TABLE kb_vocab`.execute(db);
        await sql`DROP TABLE kb_fts`.execute(db);
      }
      await db.schema.dropTable("kb_chunks").execute();
      await db.schema.dropTable("kb_documents").execute();
    },
  },
  // Hybrid search: passages' vectors from the market's embedding model, and each document's progress per model. On
  // SQLite the vectors live in one vec0 table per model (sqlite-vec; made when the model's first vector arrives, since
  // its length is known only then); on PostgreSQL, without pgvector, in kb_vectors, scanned in process (vectors.ts).
  "0020-knowledge-vectors": {
    async up(db: Kysely<any>): Promise<void> {
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
      await db.schema
        .createTable("kb_embeddings")
        .addColumn("document_id", "text", (c) => c.notNull().references("kb_documents.id").onDelete("cascade"))
        .addColumn("model", "text", (c) => c.notNull())
        .addColumn("done", "integer", (c) => c.notNull())
        .addColumn("error", "text")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("kb_embeddings_pk", ["document_id", "model"])
        .execute();
      // Embedding goes through documents oldest first.
      await db.schema.createIndex("kb_documents_created").on("kb_documents").columns(["created_at", "id"]).execute();
      await db.schema
        .createTable("kb_vector_models")
        .addColumn("model", "text", (c) => c.primaryKey())
        .addColumn("dims", "integer", (c) => c.notNull())
        .execute();
      if (sqlite) return;
      await db.schema
        .createTable("kb_vectors")
        .addColumn("model", "text", (c) => c.notNull())
        .addColumn("owner_tag", "text", (c) => c.notNull())
        .addColumn("chunk_id", "bigint", (c) => c.notNull().references("kb_chunks.id").onDelete("cascade"))
        .addColumn("vector", "bytea", (c) => c.notNull())
        .addPrimaryKeyConstraint("kb_vectors_pk", ["model", "owner_tag", "chunk_id"])
        .execute();
      await db.schema.createIndex("kb_vectors_chunk").on("kb_vectors").column("chunk_id").execute();
      await createVectorVersions(db);
    },

    async down(db: Kysely<any>): Promise<void> {
      if (db.getExecutor().adapter instanceof SqliteAdapter) {
        const tables = await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name like 'kb_vec_%' and sql like '%vec0%'`.execute(db);
        for (const t of tables.rows) await sql`drop table ${sql.id(t.name)}`.execute(db);
      } else {
        await db.schema.dropTable("kb_vector_versions").execute();
        await db.schema.dropTable("kb_vectors").execute();
      }
      await db.schema.dropTable("kb_vector_models").execute();
      await db.schema.dropIndex("kb_documents_created").execute();
      await db.schema.dropTable("kb_embeddings").execute();
    },
  },
  // SQLite's vectors are now searched from in-process copies too (vector-cache.ts), which need to know when an
  // owner's vectors changed. An owner with no row here has version 0: its first search loads its copy.
  "0021-sqlite-vector-versions": {
    async up(db: Kysely<any>): Promise<void> {
      if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
      await createVectorVersions(db);
    },

    async down(db: Kysely<any>): Promise<void> {
      if (db.getExecutor().adapter instanceof SqliteAdapter) await db.schema.dropTable("kb_vector_versions").execute();
    },
  },
  // An embedding stopped for a reason not the document's (the model unknown or not allowed, the owner's quota
  // spent) says why, as a failed one does, but is tried again at the next run (see KbEmbeddingsTable.paused).
  "0022-knowledge-embedding-paused": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable("kb_embeddings")
        .addColumn("paused", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("kb_embeddings").dropColumn("paused").execute();
    },
  },
};
