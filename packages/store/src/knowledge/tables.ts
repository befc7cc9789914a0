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

/** This domain's part of the store's `Database`. */
export interface KnowledgeTables {
  kb_documents: KbDocumentsTable;
  kb_chunks: KbChunksTable;
}
