import { createReadStream, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { reportSampleSize, type DatasetReport } from "@benih/contracts";
import { DatasetError, exampleOf } from "@benih/trainer";
import { languageOf } from "./language.ts";

export interface CheckLimits {
  /** Lines (blank ones included) a file may have. */
  maxLines: number;
  /** Bytes one line may have. */
  maxLineBytes: number;
}

export const defaultCheckLimits: CheckLimits = { maxLines: 2_000_000, maxLineBytes: 1 << 20 };

export type CheckResult = Pick<
  DatasetReport,
  "bytes" | "lines" | "examples" | "broken" | "brokenCount" | "duplicates" | "duplicateCount" | "languages"
> & { tooLong?: string };

/** What a check finds in a file of `bytes` before its first line. */
export const nothingFound = (bytes = 0): CheckResult => ({
  bytes,
  lines: 0,
  examples: 0,
  broken: [],
  brokenCount: 0,
  duplicates: [],
  duplicateCount: 0,
  languages: {},
});

/**
 * Reads a dataset file line by line, as the trainer will: each line an example (`exampleOf`), or broken with its
 * number and problem; examples that repeat an earlier one, and the language of each question. Stops at `maxLines`.
 */
export async function checkDatasetFile(file: string, limits: CheckLimits = defaultCheckLimits): Promise<CheckResult> {
  const out = nothingFound(statSync(file).size);
  const seen = new Map<string, number>();
  const broke = (line: number, problem: string) => {
    out.brokenCount++;
    if (out.broken.length < reportSampleSize) out.broken.push({ line, problem: problem.slice(0, 500) });
  };
  let n = 0;
  for await (const text of createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (++n > limits.maxLines) {
      out.tooLong = `it has more than ${limits.maxLines.toLocaleString("en")} lines, the most a dataset may have`;
      break;
    }
    if (!text.trim()) continue;
    out.lines++;
    if (Buffer.byteLength(text) > limits.maxLineBytes) {
      broke(n, `longer than ${limits.maxLineBytes} bytes`);
      continue;
    }
    const where = `line ${n}`;
    let example: ReturnType<typeof exampleOf>;
    try {
      example = exampleOf(text, where);
    } catch (err) {
      if (!(err instanceof DatasetError)) throw err;
      broke(n, err.message.slice(where.length + 2));
      continue;
    }
    out.examples++;
    // The same example however its line is spaced or its keys ordered.
    const key = createHash("sha1")
      .update(JSON.stringify([example.system ?? "", example.question, example.answer, example.turns ?? []]))
      .digest("base64");
    const first = seen.get(key);
    if (first === undefined) seen.set(key, n);
    else {
      out.duplicateCount++;
      if (out.duplicates.length < reportSampleSize) out.duplicates.push({ line: n, sameAs: first });
    }
    const lang = languageOf(example.question);
    out.languages[lang] = (out.languages[lang] ?? 0) + 1;
  }
  return out;
}
