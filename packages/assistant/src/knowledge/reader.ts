import { Worker } from "node:worker_threads";
import type { KbChunk } from "@benih/store";
import type { Extracted } from "./extract.ts";
import {
  defaultDocumentLimits,
  DocumentTooLargeError,
  ExtractError,
  ReaderBusyError,
  type DocumentLimits,
  type ExtractCode,
} from "./limits.ts";

export interface ReadJob {
  name: string;
  bytes: Uint8Array;
  limits: DocumentLimits;
  /** Cut the text into search passages too (the knowledge base), or not (translation). */
  passages: boolean;
}

export type ReadOutcome =
  | { ok: true; doc: Extracted; passages?: KbChunk[] }
  | { ok: false; kind: "too-large"; message: string; limit: keyof DocumentLimits }
  | { ok: false; kind: "unreadable"; message: string; code: ExtractCode };

export interface ReadOptions {
  limits?: Partial<DocumentLimits>;
  /** Aborted when the caller no longer wants the answer (the client went away): the reading is stopped. */
  signal?: AbortSignal;
  passages?: boolean;
}

/** Reading slots taken, and those waiting for one (a freed slot passes straight to the first). */
let running = 0;
const waiting: Array<() => void> = [];
/** Threads alive, counted until they have exited. */
let threads = 0;

/** Worker threads reading a document right now, counted until they have exited (for tests and metrics). */
export const documentsBeingRead = () => threads;

/**
 * Reads an uploaded document on a thread of its own, which is stopped at the time limit, at the memory limit, or
 * when `signal` aborts: a hostile file costs at most that, and the server's event loop goes on answering. One
 * thread per document, so nothing of one outlives it (0.2 s to start a thread for text, 0.4 s for a PDF, measured
 * under load on 2 cores), at most `concurrency` at once; the others wait their turn.
 * Throws DocumentTooLargeError (413), ExtractError (422), or the signal's reason.
 */
export async function readDocument(name: string, bytes: Uint8Array, o: ReadOptions = {}): Promise<Extracted & { passages?: KbChunk[] }> {
  const limits: DocumentLimits = { ...defaultDocumentLimits, ...o.limits };
  const { signal } = o;
  signal?.throwIfAborted();
  if (running < limits.concurrency) running++;
  else if (waiting.length >= limits.queue)
    throw new ReaderBusyError(`${waiting.length} documents are waiting to be read; try again shortly`);
  else {
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener("abort", leave);
        resolve();
      };
      const leave = () => {
        waiting.splice(waiting.indexOf(go), 1);
        reject(signal!.reason);
      };
      waiting.push(go);
      signal?.addEventListener("abort", leave, { once: true });
    });
  }
  try {
    return await new Promise((resolve, reject) => {
      const job: ReadJob = { name, bytes, limits, passages: o.passages ?? false };
      const worker = new Worker(new URL("./read-worker.mjs", import.meta.url), {
        workerData: job,
        // Not the parent's flags: the entry loads tsx itself, and the test runner's flags are not the worker's.
        execArgv: [],
        resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
      });
      threads++;
      let settled = false;
      const finish = (err: unknown, value?: Extracted & { passages?: KbChunk[] }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
        // Settled once the thread is gone, so a slot freed is a thread stopped.
        void worker.terminate().finally(() => {
          threads--;
          if (err) reject(err);
          else resolve(value!);
        });
      };
      const timer = setTimeout(
        () =>
          finish(
            new DocumentTooLargeError(
              `${name} takes longer than ${limits.timeoutMs / 1000} s to read, the limit (timeoutMs); split it into smaller files`,
              "timeoutMs",
            ),
          ),
        limits.timeoutMs,
      );
      const abort = () => finish(signal!.reason);
      signal?.addEventListener("abort", abort, { once: true });
      worker.once("message", (m: ReadOutcome) => {
        if (m.ok) finish(null, { ...m.doc, ...(m.passages && { passages: m.passages }) });
        else finish(m.kind === "too-large" ? new DocumentTooLargeError(m.message, m.limit) : new ExtractError(m.message, m.code));
      });
      worker.once("error", (err: Error & { code?: string }) =>
        finish(
          err.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? new DocumentTooLargeError(`${name} needs more than ${limits.memoryMb} MB of memory to read, the limit (memoryMb)`, "memoryMb")
            : err,
        ),
      );
      worker.once("exit", (code) => finish(new Error(`the thread reading ${name} stopped (exit code ${code}) without an answer`)));
    });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
