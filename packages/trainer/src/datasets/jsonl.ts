import { readFileSync, writeFileSync } from "node:fs";
import type { Example } from "./build.ts";

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}

export function writeExamples(path: string, examples: Example[]): void {
  writeFileSync(path, examples.map((e) => JSON.stringify(e)).join("\n") + "\n");
}

/** Reads examples, one JSON object per line; a broken line is reported with its file and line number. */
export function readExamples(path: string): Example[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new DatasetError(`cannot read dataset file ${path}: ${(err as Error).message}`);
  }
  const out: Example[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new DatasetError(`${path}:${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    const r = row as Partial<Example>;
    for (const field of ["question", "answer"] as const) {
      if (typeof r[field] !== "string" || !r[field]) throw new DatasetError(`${path}:${i + 1}: "${field}" must be a non-empty string`);
    }
    out.push({ lang: r.lang ?? "en", kind: r.kind ?? "other", template: r.template ?? "", question: r.question!, answer: r.answer! });
  });
  if (!out.length) throw new DatasetError(`${path} has no examples`);
  return out;
}
