/**
 * What reading one uploaded document may cost, checked before the work where the file says (a ZIP's directory, a
 * PDF's page count) and while it is done (inflated bytes, text, time, memory). A file over a limit is refused,
 * never silently cut short.
 */
export interface DocumentLimits {
  /** Wall-clock time to read one document, in ms; the reading is stopped at it. */
  timeoutMs: number;
  /** Heap of the thread that reads one document, in MB; past it the thread is stopped. */
  memoryMb: number;
  /** Documents read at once; more wait their turn. */
  concurrency: number;
  /** Documents waiting for their turn (each holds its upload in memory); more are refused for now (503). */
  queue: number;
  /** Pages of a PDF, checked before any page is read. */
  maxPdfPages: number;
  /** Entries in a ZIP (DOCX) archive. */
  maxZipEntries: number;
  /** Bytes a ZIP (DOCX) unpacks to, as its directory declares and as actually inflated. */
  maxUnzippedBytes: number;
  /** Unpacked bytes per packed byte of one entry, for entries over 1 MB unpacked. */
  maxZipRatio: number;
  /** Characters of text extracted from one document. */
  maxTextChars: number;
  /** Passages (search chunks) of one document. */
  maxPassages: number;
  /** Bytes one owner may keep in the knowledge base: uploaded file sizes plus their stored text. */
  maxOwnerBytes: number;
}

export const defaultDocumentLimits: Readonly<DocumentLimits> = Object.freeze({
  timeoutMs: 20_000,
  memoryMb: 512,
  concurrency: 2,
  queue: 32,
  maxPdfPages: 500,
  maxZipEntries: 1000,
  maxUnzippedBytes: 50 * 1024 * 1024,
  maxZipRatio: 200,
  maxTextChars: 5_000_000,
  maxPassages: 5000,
  maxOwnerBytes: 200 * 1024 * 1024,
});

/** Too many documents are already waiting to be read: try again shortly (503). */
export class ReaderBusyError extends Error {}

/**
 * Why a file cannot be read, as the 422 says it: a kind benih does not read, damaged (or not what its name says),
 * protected by a password, or without text.
 */
export type ExtractCode = "unsupported_file_type" | "unreadable_file" | "encrypted_file" | "no_text";

/** A file that cannot be read: not what its name says, damaged, encrypted, or without text (422). */
export class ExtractError extends Error {
  constructor(
    message: string,
    readonly code: ExtractCode = "unreadable_file",
  ) {
    super(message);
    this.name = "ExtractError";
  }
}

/** A document over one of the limits: 413, naming the limit and its value. */
export class DocumentTooLargeError extends Error {
  constructor(
    message: string,
    readonly limit: keyof DocumentLimits,
  ) {
    super(message);
    this.name = "DocumentTooLargeError";
  }
}

/** A size for a person: "50 MB", "3.2 KB", "900 bytes". */
export const sizeOf = (n: number) =>
  n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB` : n >= 1024 ? `${Math.round((n / 1024) * 10) / 10} KB` : `${n} bytes`;
