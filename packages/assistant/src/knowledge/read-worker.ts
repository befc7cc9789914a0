import { parentPort, workerData } from "node:worker_threads";
import { chunk } from "./chunk.ts";
import { extract } from "./extract.ts";
import { DocumentTooLargeError, ExtractError, type DocumentLimits } from "./limits.ts";
import type { ReadJob, ReadOutcome } from "./reader.ts";

// One document read on a worker thread (see reader.ts): extracted, cut into passages when asked, and posted back.
const job = workerData as ReadJob;
let outcome: ReadOutcome;
try {
  const doc = await extract(job.name, job.bytes, job.limits);
  const passages = job.passages ? chunk(doc.pages) : undefined;
  if (passages && passages.length > job.limits.maxPassages) {
    throw new DocumentTooLargeError(
      `${job.name} makes ${passages.length.toLocaleString("en")} passages, over the limit of ${job.limits.maxPassages.toLocaleString("en")} (maxPassages)`,
      "maxPassages",
    );
  }
  outcome = { ok: true, doc, ...(passages && { passages }) };
} catch (err) {
  if (err instanceof DocumentTooLargeError)
    outcome = { ok: false, kind: "too-large", message: err.message, limit: err.limit as keyof DocumentLimits };
  else if (err instanceof ExtractError) outcome = { ok: false, kind: "unreadable", message: err.message, code: err.code };
  else throw err;
}
parentPort!.postMessage(outcome);
