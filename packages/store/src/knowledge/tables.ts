import type { Generated } from "kysely";

export interface KbDocumentsTable {
  id: string;
  /** An API key id; null on a server without keys; "*" for the shared starter corpus. */
  owner: string | null;
  created_at: number;
  title: string;
  /** The file name or URL it came from. */
  source: string;
  mime: string;
  bytes: number;
  chunks: number;
  pages: number | null;
}

export interface KbChunksTable {
  id: Generated<number>;
  document_id: string;
  ord: number;
  page: number | null;
  text: string;
  terms: string;
  owner_tag: string;
}

/** How far a document's passages are embedded with one model (its vectors are in kb_vectors or a vec0 table). */
export interface KbEmbeddingsTable {
  document_id: string;
  model: string;
  /** Passages embedded, in order: those with ord < done have this model's vector. */
  done: number;
  /** Why the last try failed; null while it is in progress or done. */
  error: string | null;
  /**
   * 1 when `error` says why the last try stopped for a reason not the document's (the model's configuration, the
   * owner's quota): the document is tried again at the next run, not left failed.
   */
  paused: number;
  updated_at: number;
}

/** The models vectors were made with, and their length: each has its own vector table. */
export interface KbVectorModelsTable {
  model: string;
  dims: number;
}

/** PostgreSQL only: passages' vectors (float32, little-endian), searched in process (see vectors.ts). */
export interface KbVectorsTable {
  model: string;
  owner_tag: string;
  chunk_id: number;
  vector: Buffer;
}

/** Bumped at every change to an owner's vectors of a model, so in-process copies know they are stale. */
export interface KbVectorVersionsTable {
  model: string;
  owner_tag: string;
  version: number;
}

/** This domain's part of the store's `Database`. */
export interface KnowledgeTables {
  kb_documents: KbDocumentsTable;
  kb_chunks: KbChunksTable;
  kb_embeddings: KbEmbeddingsTable;
  kb_vector_models: KbVectorModelsTable;
  kb_vectors: KbVectorsTable;
  kb_vector_versions: KbVectorVersionsTable;
}
