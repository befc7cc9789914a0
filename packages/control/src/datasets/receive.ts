import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DatasetDelivered, DatasetReport } from "@benih/contracts";
import { nothingFound } from "./check.ts";
import { checkInThread, defaultThreadLimits, type ThreadLimits } from "./check-in-thread.ts";

export interface Receipt {
  /** The upload's bytes as the control plane streams them from the uploader. */
  body: ReadableStream<Uint8Array>;
  /** Where the region keeps uploaded datasets, each a folder named as the dataset. */
  datasetsDir: string;
  uploadId: string;
  dataset: string;
  split: DatasetReport["split"];
  market: string;
  region: string;
  maxBytes: number;
  limits?: ThreadLimits;
}

/** A report of an upload refused before it could be read whole. */
export const refusedReport = (r: Pick<Receipt, "dataset" | "split" | "market" | "region">, reason: string, bytes = 0): DatasetReport => ({
  dataset: r.dataset,
  split: r.split,
  market: r.market,
  region: r.region,
  accepted: false,
  reason,
  ...nothingFound(bytes),
});

/**
 * Brings an uploaded dataset into the region: written as `<split>.jsonl` into a folder of its own (at most
 * `maxBytes`), checked line by line on a thread, and kept when no line is broken (the train split as the folder
 * `<datasetsDir>/<dataset>`, the others added to it); deleted otherwise.
 */
export async function receiveDataset(r: Receipt): Promise<DatasetDelivered> {
  const folder = join(r.datasetsDir, r.dataset);
  const final = r.split === "train" ? folder : join(folder, `${r.split}.jsonl`);
  if (r.split !== "train" && !existsSync(folder))
    return { report: refusedReport(r, `there is no dataset ${r.dataset} in ${r.region} to add a ${r.split} split to`) };
  if (existsSync(final))
    return {
      report: refusedReport(
        r,
        r.split === "train" ? `a dataset named ${r.dataset} is kept in ${r.region} already` : `${r.dataset} has a ${r.split} split already`,
      ),
    };
  const tmp = join(r.datasetsDir, `.${r.dataset}.${r.uploadId}`);
  const file = join(tmp, `${r.split}.jsonl`);
  mkdirSync(tmp, { recursive: true });
  try {
    let bytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > r.maxBytes) done(new Error(`it is larger than ${r.maxBytes.toLocaleString("en")} bytes, the most a dataset may be`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(r.body as never), counted, createWriteStream(file));
    } catch (err) {
      const why = (err as Error).message;
      return { report: refusedReport(r, why.startsWith("it is larger") ? why : `the upload ended before its end: ${why}`, bytes) };
    }
    const check = await checkInThread(file, r.limits ?? defaultThreadLimits).catch((err: Error) => err);
    if (check instanceof Error) return { report: refusedReport(r, check.message, bytes) };
    const { tooLong, ...found } = check;
    const first = found.broken[0];
    const reason =
      tooLong ??
      (found.brokenCount
        ? `${found.brokenCount} of its ${found.lines} lines ${found.brokenCount === 1 ? "is not an example" : "are not examples"} (line ${first!.line}: ${first!.problem})`
        : found.examples
          ? undefined
          : "it has no examples");
    const report = { dataset: r.dataset, split: r.split, market: r.market, region: r.region, ...found };
    if (reason) return { report: { ...report, accepted: false, reason } };
    renameSync(r.split === "train" ? tmp : file, final);
    return { report: { ...report, accepted: true }, source: folder };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
