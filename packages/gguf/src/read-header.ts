import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { readGguf, type GgufInfo } from "./reader.ts";

const FIRST_READ = 1 << 20;
/** A header larger than this (a vocabulary of millions of tokens) is not read: it is not a model benih serves. */
const MAX_HEADER = 256 << 20;

/**
 * A GGUF file's header, metadata and tensor infos, read from its start (1 MiB first, doubling while the header
 * runs on) so a multi-gigabyte model is not read whole to learn what it is.
 */
export function readGgufHeader(path: string): GgufInfo {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    for (let want = Math.min(FIRST_READ, size); ; want = Math.min(want * 2, size)) {
      const buf = new Uint8Array(want);
      const got = readSync(fd, buf, 0, want, 0);
      try {
        return readGguf(buf.subarray(0, got));
      } catch (e) {
        if (!/truncated/.test((e as Error).message) || want >= size) throw e;
        if (want >= MAX_HEADER) throw new Error(`the GGUF header of ${path} is larger than ${MAX_HEADER >> 20} MiB`);
      }
    }
  } finally {
    closeSync(fd);
  }
}
