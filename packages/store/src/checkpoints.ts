import { Worker } from "node:worker_threads";

let worker: Worker | undefined;
let stores = 0;

/**
 * Checkpoints a SQLite store's write-ahead log off the main thread. SQLite otherwise checkpoints in whichever write
 * crosses 1,000 WAL pages, and that write then waits for the copy and its fsync: a few milliseconds of the event loop,
 * every hundred or so writes. One worker thread serves every store of the process; the returned function lets the
 * store go (at its close).
 */
export function checkpointInBackground(path: string): () => void {
  if (!worker) {
    worker = new Worker(new URL("./checkpoint-worker.mjs", import.meta.url));
    worker.unref();
    // A worker that failed leaves checkpoints to SQLite's own, on the server's connection.
    worker.on("error", () => {});
  }
  const own = worker;
  stores++;
  own.postMessage({ type: "add", path });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    own.postMessage({ type: "remove", path });
    if (--stores === 0 && worker === own) {
      own.postMessage({ type: "stop" });
      worker = undefined;
    }
  };
}
