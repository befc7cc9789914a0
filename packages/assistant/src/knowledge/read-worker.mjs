// The entry of the thread that reads a document (see reader.ts). It loads TypeScript the way bin/benih.mjs does,
// through tsx's loader, so the thread starts the same under `node --import tsx` (tests) and under `benih`. The
// readers' own plain JavaScript is imported first, before the loader is there to transform it again on every
// thread start: that took pdf.js about 2 s a thread, and takes 0.1 s this way.
import { setPriority } from "node:os";
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

// On Linux niceness is per thread, and pid 0 is this thread: heavy reading here yields the CPU to the thread that
// answers requests (elsewhere the call would lower the whole process, so it is not made).
if (process.platform === "linux") setPriority(0, 10);

const name = String(workerData?.name ?? "").toLowerCase();
if (name.endsWith(".pdf")) {
  // pdf.js runs its own worker on this thread when it finds one here, instead of importing it (through the loader).
  globalThis.pdfjsWorker = await import("pdfjs-dist/legacy/build/pdf.worker.mjs");
  await import("pdfjs-dist/legacy/build/pdf.mjs");
} else if (name.endsWith(".docx")) await import("mammoth");
register();
await import("./read-worker.ts");
