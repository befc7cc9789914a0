import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Bytes of every file under a folder: how much a data directory grew. */
export const bytesUnder = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? bytesUnder(join(dir, e.name)) : e.isFile() ? statSync(join(dir, e.name)).size : 0),
    0,
  );

/** Every file under `dir` whose name or bytes hold `text`: where data went. */
export const filesHolding = (dir: string, text: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => f.includes(text) || readFileSync(f).includes(text));
