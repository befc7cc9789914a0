import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Dataset, Example, Turn } from "./build.ts";

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}

export function writeExamples(path: string, examples: Example[]): void {
  writeFileSync(path, `${examples.map((e) => JSON.stringify(e)).join("\n")}\n`);
}

/**
 * One line of a dataset file as an example; throws a DatasetError naming `where` (file:line) and what is wrong. The
 * trainer reads files with it, and an agent checks uploads line by line with it.
 */
export function exampleOf(line: string, where: string): Example {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    // V8 adds where in the parsed text it stopped ("(line 1 column 2)"): here the text is one line of the file.
    throw new DatasetError(`${where}: not valid JSON (${(err as Error).message.replace(/ \(line \d+ column \d+\)$/, "")})`);
  }
  const r = (row ?? {}) as Partial<Example>;
  if (typeof row !== "object" || Array.isArray(row)) throw new DatasetError(`${where}: not a JSON object`);
  for (const field of ["question", "answer"] as const) {
    if (typeof r[field] !== "string" || !r[field]) throw new DatasetError(`${where}: "${field}" must be a non-empty string`);
  }
  if (r.system !== undefined && typeof r.system !== "string") throw new DatasetError(`${where}: "system" must be a string`);
  if (r.tools !== undefined && !(Array.isArray(r.tools) && r.tools.every((t) => typeof t === "string" && t)))
    throw new DatasetError(`${where}: "tools" must be a list of tool names`);
  if (r.turns !== undefined && !(Array.isArray(r.turns) && r.turns.every(isTurn)))
    throw new DatasetError(
      `${where}: "turns" must be a list of {"role":"assistant","calls":[{"name","arguments"}]} and {"role":"tool","content"}`,
    );
  return {
    lang: r.lang ?? "en",
    kind: r.kind ?? "other",
    template: r.template ?? "",
    question: r.question!,
    answer: r.answer!,
    ...(r.system !== undefined && { system: r.system }),
    ...(r.tools && { tools: r.tools }),
    ...(r.turns && { turns: r.turns }),
  };
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
    if (line.trim()) out.push(exampleOf(line, `${path}:${i + 1}`));
  });
  if (!out.length) throw new DatasetError(`${path} has no examples`);
  return out;
}

const isTurn = (t: unknown): t is Turn => {
  const x = t as Partial<Record<string, unknown>>;
  if (x?.role === "tool") return typeof x.content === "string";
  return (
    x?.role === "assistant" &&
    Array.isArray(x.calls) &&
    x.calls.length > 0 &&
    x.calls.every(
      (c: { name?: unknown; arguments?: unknown }) =>
        typeof c?.name === "string" && typeof c.arguments === "object" && c.arguments !== null,
    )
  );
};

const SPLITS = ["train", "validation", "eval"] as const;

/** Writes a dataset as `train.jsonl`, `validation.jsonl` and `eval.jsonl` in `dir`. */
export function writeDatasetDir(dir: string, ds: Dataset): void {
  mkdirSync(dir, { recursive: true });
  for (const split of SPLITS) writeExamples(join(dir, `${split}.jsonl`), ds[split]);
}

/** A dataset from a folder of JSON-lines splits: `train.jsonl` is required, the other two optional. */
export function readDatasetDir(dir: string): Dataset {
  const train = join(dir, "train.jsonl");
  if (!existsSync(train))
    throw new DatasetError(
      `${dir} has no train.jsonl (a dataset folder holds train.jsonl, and optionally validation.jsonl and eval.jsonl)`,
    );
  const optional = (split: string) => (existsSync(join(dir, `${split}.jsonl`)) ? readExamples(join(dir, `${split}.jsonl`)) : []);
  return { name: basename(resolve(dir)), train: readExamples(train), validation: optional("validation"), eval: optional("eval") };
}
