import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { LlamaConfig } from "@benih/gguf";

// Layout: u32 magic "BNHK", u32 version, u32 header length, JSON header, zero padding to 4 bytes, then three
// float32 arrays of paramCount values: parameters, AdamW m, AdamW v.
const MAGIC = 0x4b484e42; // "BNHK" little-endian
const VERSION = 1;

export interface CheckpointHeader {
  recipe: string;
  config: LlamaConfig;
  step: number;
  tokensSeen: number;
  loaderState: number;
  optimizerStep: number;
  /** Identifies the tokenizer the model was trained with (see tokenizerHash). */
  tokenizerHash: string;
  /** Parameters saved: the model's, or a LoRA run's adapter's. */
  paramCount: number;
  wallMs: number;
  /** The model the run started from (continued, or adapted with LoRA): its name, file hash and path. */
  base?: { name: string; sha256: string; file?: string };
  lora?: { rank: number; alpha: number; targets: string[] };
}

export interface Checkpoint {
  header: CheckpointHeader;
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

/** Writes atomically: a temporary file in the same directory, flushed to disk, then renamed over `path`. */
export function writeCheckpoint(path: string, c: Checkpoint): void {
  const n = c.header.paramCount;
  for (const [name, a] of [
    ["params", c.params],
    ["m", c.m],
    ["v", c.v],
  ] as const) {
    if (a.length !== n) throw new Error(`checkpoint ${name} has ${a.length} values, the header says ${n}`);
  }
  const json = Buffer.from(JSON.stringify(c.header), "utf8");
  const pad = (4 - ((12 + json.length) % 4)) % 4;
  const head = Buffer.alloc(12 + json.length + pad);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(VERSION, 4);
  head.writeUInt32LE(json.length, 8);
  json.copy(head, 12);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, head);
    for (const a of [c.params, c.m, c.v]) writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readCheckpoint(path: string): Checkpoint {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new CheckpointError(`cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  if (buf.length < 12 || buf.readUInt32LE(0) !== MAGIC)
    throw new CheckpointError(`${path} is not a benih checkpoint (its first bytes are not "BNHK")`);
  const version = buf.readUInt32LE(4);
  if (version !== VERSION) throw new CheckpointError(`${path} is checkpoint format v${version}; this benih reads v${VERSION}`);
  const jsonLength = buf.readUInt32LE(8);
  if (12 + jsonLength > buf.length) throw new CheckpointError(`${path} is truncated: its header is cut off`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(buf.subarray(12, 12 + jsonLength).toString("utf8")) as CheckpointHeader;
  } catch {
    throw new CheckpointError(`${path} has a damaged header (not JSON)`);
  }
  const start = 12 + jsonLength + ((4 - ((12 + jsonLength) % 4)) % 4);
  const expected = start + 3 * 4 * header.paramCount;
  if (buf.length !== expected) {
    throw new CheckpointError(
      buf.length < expected
        ? `${path} is truncated: ${buf.length} bytes where ${expected} were written (step ${header.step})`
        : `${path} has ${buf.length - expected} unexpected bytes at its end`,
    );
  }
  // Copy out so the arrays are aligned and independent of the file buffer.
  const floats = (i: number) =>
    new Float32Array(
      buf.buffer.slice(buf.byteOffset + start + i * 4 * header.paramCount, buf.byteOffset + start + (i + 1) * 4 * header.paramCount),
    );
  return { header, params: floats(0), m: floats(1), v: floats(2) };
}

const describeConfig = (c: LlamaConfig) => `dim ${c.dim}, ${c.layers} layers, ${c.heads} heads, ff ${c.ff}, vocab ${c.vocab}`;

/** Refuses a checkpoint of another recipe, tokenizer or base model, naming what differs. */
export function checkCompatible(
  path: string,
  h: CheckpointHeader,
  recipe: string,
  config: LlamaConfig,
  tokenizerHash: string,
  base?: { name: string; sha256: string },
): void {
  if (h.base?.sha256 !== base?.sha256) {
    const what = (b?: { name: string; sha256: string }) =>
      b ? `base model ${b.name} (sha256 ${b.sha256.slice(0, 12)}…)` : "no base model";
    throw new CheckpointError(`${path} was trained from ${what(h.base)}; this run starts from ${what(base)}`);
  }
  const same = (Object.keys(config) as Array<keyof LlamaConfig>).every((k) => h.config[k] === config[k]);
  if (h.recipe !== recipe || !same) {
    throw new CheckpointError(
      `${path} was written by recipe "${h.recipe}" (${describeConfig(h.config)}); this run is recipe "${recipe}" (${describeConfig(config)})`,
    );
  }
  if (h.tokenizerHash !== tokenizerHash) {
    throw new CheckpointError(
      `${path} was trained with another tokenizer (hash ${h.tokenizerHash}) than this dataset's (hash ${tokenizerHash}); retrain or use the matching dataset`,
    );
  }
}
