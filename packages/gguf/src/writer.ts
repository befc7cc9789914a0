import { encodeTensor, encodedSize } from "./encode-tensor.ts";
import {
  DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  TensorType,
  ValueType,
  type MetadataEntry,
  type ScalarValueType,
  type TensorEntry,
} from "./types.ts";

const utf8 = new TextEncoder();

/** Grows as needed; GGUF headers are small, tensor data is written separately into its final buffer. */
class ByteSink {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number) {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  i8(v: number) {
    this.reserve(1);
    this.view.setInt8(this.length, v);
    this.length += 1;
  }
  u16(v: number) {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  i16(v: number) {
    this.reserve(2);
    this.view.setInt16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number) {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  i32(v: number) {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  f32(v: number) {
    this.reserve(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  f64(v: number) {
    this.reserve(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  u64(v: number | bigint) {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  i64(v: number | bigint) {
    this.reserve(8);
    this.view.setBigInt64(this.length, BigInt(v), true);
    this.length += 8;
  }
  str(s: string) {
    const bytes = utf8.encode(s);
    this.u64(bytes.length);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  pad(alignment: number) {
    while (this.length % alignment) this.u8(0);
  }
  bytes() {
    return this.buf.subarray(0, this.length);
  }
}

function writeScalar(sink: ByteSink, type: ScalarValueType, v: string | number | bigint | boolean) {
  switch (type) {
    case ValueType.UINT8:
      return sink.u8(Number(v));
    case ValueType.INT8:
      return sink.i8(Number(v));
    case ValueType.UINT16:
      return sink.u16(Number(v));
    case ValueType.INT16:
      return sink.i16(Number(v));
    case ValueType.UINT32:
      return sink.u32(Number(v));
    case ValueType.INT32:
      return sink.i32(Number(v));
    case ValueType.FLOAT32:
      return sink.f32(Number(v));
    case ValueType.FLOAT64:
      return sink.f64(Number(v));
    case ValueType.UINT64:
      return sink.u64(v as number | bigint);
    case ValueType.INT64:
      return sink.i64(v as number | bigint);
    case ValueType.BOOL:
      return sink.u8(v ? 1 : 0);
    case ValueType.STRING:
      return sink.str(String(v));
  }
}

function checkTensor(t: TensorEntry, type: TensorType): number {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) {
    throw new Error(`tensor ${t.name}: dims [${t.dims}] hold ${count} values but data has ${t.data.length}`);
  }
  if (type === TensorType.Q8_0 && t.dims[0]! % 32 !== 0) {
    throw new Error(`tensor ${t.name}: Q8_0 needs the innermost dimension (${t.dims[0]}) to be a multiple of 32`);
  }
  return count;
}

/**
 * Serialises a GGUF v3 file: header, metadata, tensor infos, padding to the alignment, then each tensor padded to
 * the alignment, offsets being exactly the running sum of padded sizes (llama.cpp checks this).
 */
export function writeGguf(metadata: MetadataEntry[], tensors: TensorEntry[]): Uint8Array {
  const keys = new Set<string>();
  for (const m of metadata) {
    if (keys.has(m.key)) throw new Error(`metadata key ${m.key} given twice`);
    keys.add(m.key);
  }
  const alignEntry = metadata.find((m) => m.key === "general.alignment");
  const alignment = alignEntry ? Number(alignEntry.value) : DEFAULT_ALIGNMENT;

  const head = new ByteSink();
  head.u32(GGUF_MAGIC);
  head.u32(GGUF_VERSION);
  head.u64(tensors.length);
  head.u64(metadata.length);
  for (const m of metadata) {
    head.str(m.key);
    head.u32(m.type);
    if (m.type === ValueType.ARRAY) {
      head.u32(m.itemType);
      head.u64(m.value.length);
      for (const item of m.value) writeScalar(head, m.itemType, item);
    } else {
      writeScalar(head, m.type, m.value);
    }
  }

  const layout: Array<{ offset: number; size: number; type: TensorType }> = [];
  let offset = 0;
  for (const t of tensors) {
    const type = t.type ?? TensorType.F32;
    const size = encodedSize(type, checkTensor(t, type));
    head.str(t.name);
    head.u32(t.dims.length);
    for (const d of t.dims) head.u64(d);
    head.u32(type);
    head.u64(offset);
    layout.push({ offset, size, type });
    offset += Math.ceil(size / alignment) * alignment;
  }
  head.pad(alignment);

  const out = new Uint8Array(head.length + offset);
  out.set(head.bytes(), 0);
  tensors.forEach((t, i) => {
    const { offset: o, size, type } = layout[i]!;
    encodeTensor(type, t.data, new DataView(out.buffer, head.length + o, size));
  });
  return out;
}
