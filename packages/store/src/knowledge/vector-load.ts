import { Worker } from "node:worker_threads";
import type { Quantized } from "./int8-scan.ts";

let worker: Worker | undefined;
let next = 0;
const pending = new Map<number, { table: string; resolve(q: Quantized): void; reject(err: Error): void }>();

/**
 * One owner's vectors of a SQLite store's vec0 `table`, read and quantized in a worker thread
 * (vector-load-worker.mjs) on its own connection to the file at `path`: 100,000 vectors take seconds to read, which
 * the server's event loop must not wait. The worker is started at the first load and serves every store.
 */
export function loadInWorker(path: string, table: string, tag: string): Promise<Quantized> {
  if (!worker) {
    const w = new Worker(new URL("./vector-load-worker.mjs", import.meta.url), { execArgv: [] });
    w.unref();
    w.on("message", (m: { id: number; error: string } | ({ id: number } & Quantized)) => {
      const waiting = pending.get(m.id);
      pending.delete(m.id);
      if ("error" in m) waiting?.reject(new Error(`reading vectors of ${waiting.table}: ${m.error}`));
      else waiting?.resolve(m);
      if (!pending.size) w.unref();
    });
    // A worker that failed or ended fails what it had; the next load starts another.
    const gone = (err: Error) => {
      if (worker === w) worker = undefined;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    w.on("error", gone);
    w.on("exit", (code) => gone(new Error(`the vector loading worker ended (exit code ${code})`)));
    worker = w;
  }
  const id = next++;
  // Held while it works, so that a process with nothing else to do still waits for the answer.
  worker.ref();
  worker.postMessage({ type: "load", id, path, table, tag });
  return new Promise((resolve, reject) => pending.set(id, { table, resolve, reject }));
}

/** A store's file is closed: the worker lets go of its connection to it. */
export function closeInWorker(path: string): void {
  worker?.postMessage({ type: "close", path });
}
