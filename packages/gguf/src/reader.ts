import { GGUF_MAGIC, ValueType } from "./types.ts";

export type MetadataValue = string | number | bigint | boolean | MetadataValue[];

export interface GgufInfo {
  version: number;
  metadata: Map<string, MetadataValue>;
  /** Offsets are relative to `dataOffset`, where the tensor data starts (after the header, aligned). */
  tensors: Array<{ name: string; dims: number[]; type: number; offset: number }>;
  dataOffset: number;
}

const utf8 = new TextDecoder();

/** Reads a GGUF file's header, metadata and tensor infos (not the tensor data). */
export function readGguf(bytes: Uint8Array): GgufInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const need = (n: number) => {
    if (p + n > bytes.length) throw new Error(`GGUF truncated at byte ${p}: wanted ${n} more bytes`);
  };
  const u32 = () => (need(4), (p += 4), view.getUint32(p - 4, true));
  const u64 = () => (need(8), (p += 8), view.getBigUint64(p - 8, true));
  const str = () => {
    const n = Number(u64());
    need(n);
    p += n;
    return utf8.decode(bytes.subarray(p - n, p));
  };
  const scalar = (type: number): MetadataValue => {
    switch (type) {
      case ValueType.UINT8:
        return (need(1), (p += 1), view.getUint8(p - 1));
      case ValueType.INT8:
        return (need(1), (p += 1), view.getInt8(p - 1));
      case ValueType.UINT16:
        return (need(2), (p += 2), view.getUint16(p - 2, true));
      case ValueType.INT16:
        return (need(2), (p += 2), view.getInt16(p - 2, true));
      case ValueType.UINT32:
        return u32();
      case ValueType.INT32:
        return (need(4), (p += 4), view.getInt32(p - 4, true));
      case ValueType.FLOAT32:
        return (need(4), (p += 4), view.getFloat32(p - 4, true));
      case ValueType.FLOAT64:
        return (need(8), (p += 8), view.getFloat64(p - 8, true));
      case ValueType.UINT64:
        return u64();
      case ValueType.INT64:
        return (need(8), (p += 8), view.getBigInt64(p - 8, true));
      case ValueType.BOOL:
        return (need(1), (p += 1), view.getUint8(p - 1) !== 0);
      case ValueType.STRING:
        return str();
      case ValueType.ARRAY: {
        const itemType = u32();
        // llama.cpp refuses arrays of arrays too; nesting would recurse without bound.
        if (itemType === ValueType.ARRAY) throw new Error(`GGUF metadata holds an array of arrays (at byte ${p})`);
        const n = Number(u64());
        const items: MetadataValue[] = [];
        for (let i = 0; i < n; i++) items.push(scalar(itemType));
        return items;
      }
      default:
        throw new Error(`GGUF metadata value type ${type} is unknown (at byte ${p})`);
    }
  };

  if (u32() !== GGUF_MAGIC) throw new Error("not a GGUF file (the magic bytes are not 'GGUF')");
  const version = u32();
  if (version !== 3 && version !== 2) throw new Error(`GGUF version ${version} is not supported (2 or 3 are)`);
  const tensorCount = Number(u64());
  const kvCount = Number(u64());
  const metadata = new Map<string, MetadataValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = str();
    metadata.set(key, scalar(u32()));
  }
  const tensors: GgufInfo["tensors"] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = str();
    const nd = u32();
    if (nd > 4) throw new Error(`GGUF tensor ${name} has ${nd} dimensions (at most 4)`);
    const dims: number[] = [];
    for (let d = 0; d < nd; d++) dims.push(Number(u64()));
    const type = u32();
    tensors.push({ name, dims, type, offset: Number(u64()) });
  }
  const alignment = Number(metadata.get("general.alignment") ?? 32);
  if (!Number.isInteger(alignment) || alignment < 1 || alignment > 65536 || alignment & (alignment - 1))
    throw new Error(`GGUF general.alignment ${String(metadata.get("general.alignment"))} is not a power of two up to 65536`);
  return { version, metadata, tensors, dataOffset: Math.ceil(p / alignment) * alignment };
}
