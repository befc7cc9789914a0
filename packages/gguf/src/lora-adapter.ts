import { GgufModelError, tensorValues } from "./read-llama.ts";
import { readGguf, type GgufInfo } from "./reader.ts";
import { ValueType, type MetadataEntry, type TensorEntry } from "./types.ts";
import { writeGguf } from "./writer.ts";

/** One adapted matrix W[rows][cols] of the base: W + (alpha / rank) · B · A. */
export interface LoraPair {
  /** The base tensor's GGUF name, e.g. "blk.0.attn_q.weight". */
  tensor: string;
  rows: number;
  cols: number;
  /** [rank][cols], row-major. */
  a: Float32Array;
  /** [rows][rank], row-major. */
  b: Float32Array;
}

export interface LoraAdapter {
  name: string;
  architecture: string;
  rank: number;
  alpha: number;
  /** The base model it was trained on: its general.name and the SHA-256 of its file. */
  base: { name: string; sha256: string };
  pairs: LoraPair[];
}

/**
 * llama.cpp's LoRA adapter GGUF: general.type "adapter", adapter.type "lora", adapter.lora.alpha, and for each
 * adapted tensor X a pair X.lora_a (dims [cols, rank]) and X.lora_b (dims [rank, rows]); llama.cpp adds
 * scale · alpha / rank · B·A·x to X·x. benih.base.* names the base so a mismatched base is refused by name.
 */
export function loraAdapterToGguf(o: LoraAdapter, extraMetadata: MetadataEntry[] = []): Uint8Array {
  const str = (key: string, value: string): MetadataEntry => ({ key, type: ValueType.STRING, value });
  const metadata: MetadataEntry[] = [
    str("general.architecture", o.architecture),
    str("general.type", "adapter"),
    str("general.name", o.name),
    str("adapter.type", "lora"),
    { key: "adapter.lora.alpha", type: ValueType.FLOAT32, value: o.alpha },
    str("benih.base.name", o.base.name),
    str("benih.base.sha256", o.base.sha256),
    ...extraMetadata,
  ];
  const tensors: TensorEntry[] = [];
  for (const p of o.pairs) {
    if (p.a.length !== o.rank * p.cols || p.b.length !== p.rows * o.rank)
      throw new Error(`LoRA pair ${p.tensor}: A must be ${o.rank}×${p.cols} and B ${p.rows}×${o.rank}`);
    tensors.push({ name: `${p.tensor}.lora_a`, dims: [p.cols, o.rank], data: p.a });
    tensors.push({ name: `${p.tensor}.lora_b`, dims: [o.rank, p.rows], data: p.b });
  }
  return writeGguf(metadata, tensors);
}

/** Reads an adapter written by loraAdapterToGguf (or any F32/F16/Q8_0 llama.cpp LoRA adapter). */
export function readLoraAdapter(bytes: Uint8Array, file: string): LoraAdapter {
  const fail = (problem: string): never => {
    throw new GgufModelError(file, problem);
  };
  let info: GgufInfo;
  try {
    info = readGguf(bytes);
  } catch (e) {
    return fail((e as Error).message);
  }
  const meta = info.metadata;
  if (meta.get("general.type") !== "adapter" || meta.get("adapter.type") !== "lora")
    fail('is not a LoRA adapter (general.type must be "adapter" and adapter.type "lora")');
  const read = (name: string) => {
    const t = info.tensors.find((x) => x.name === name) ?? fail(`tensor ${name} is missing its pair`);
    return { dims: t.dims, data: tensorValues(info, bytes, t, fail) };
  };
  const pairs: LoraPair[] = [];
  let rank = 0;
  for (const t of info.tensors) {
    if (!t.name.endsWith(".lora_a")) continue;
    const tensor = t.name.slice(0, -".lora_a".length);
    const a = read(t.name);
    const b = read(`${tensor}.lora_b`);
    const [cols, r] = a.dims as [number, number];
    if (b.dims[0] !== r) fail(`${tensor}.lora_b has rank ${b.dims[0]}, its lora_a ${r}`);
    if (rank && r !== rank) fail(`${tensor} has rank ${r}, other pairs ${rank}`);
    rank = r;
    pairs.push({ tensor, rows: b.dims[1]!, cols, a: a.data, b: b.data });
  }
  if (!pairs.length) fail("holds no lora_a/lora_b tensor pairs");
  const text = (key: string) => {
    const v = meta.get(key);
    return typeof v === "string" ? v : "";
  };
  return {
    name: text("general.name") || file,
    architecture: text("general.architecture"),
    rank,
    alpha: Number(meta.get("adapter.lora.alpha") ?? rank),
    base: { name: text("benih.base.name"), sha256: text("benih.base.sha256") },
    pairs,
  };
}
