import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Bytes of every file under a folder: how much a data directory grew. */
export const bytesUnder = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? bytesUnder(join(dir, e.name)) : e.isFile() ? statSync(join(dir, e.name)).size : 0),
    0,
  );
