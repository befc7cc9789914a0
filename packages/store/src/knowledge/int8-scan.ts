/**
 * Dot products of one query with many vectors, each quantized to int8 with a scale of its own, in WebAssembly SIMD:
 * 100,000 × 256 dimensions in about 1.4 ms here, against about 27 ms for the same loop in JavaScript (and ~30 ms
 * for float32). A quarter of float32's memory; the ranking it gives matches float32's but for near-ties (see the
 * recall the search bench prints).
 */

import { quantizeInto, strideOf } from "./quantize.mjs";

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
const name = (s: string) => [s.length, ...Buffer.from(s)];

// scan(query, vectors, count, blocks, out): out[i] = Σ query[j] · vectors[i·16·blocks + j] over 16·blocks int8s, as
// int32 (127 · 127 · 16 · blocks fits below 130,000 dimensions). Pointers are byte offsets into the imported memory.
const [QUERY, VECTORS, COUNT, BLOCKS, OUT, LEFT, Q, ACC] = [0, 1, 2, 3, 4, 5, 6, 7];
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const i32 = (n: number) => [0x41, n]; // n < 64: one byte of signed LEB128
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const simd = (op: number) => [0xfd, ...leb(op)];
const load8x8s = (offset: number) => [...simd(0x01), 0, offset]; // 8 int8 → i16x8; memarg: align, offset
const DOT = simd(186); // i32x4.dot_i16x8_s
const ADD = simd(174); // i32x4.add
const lane = (i: number) => [...get(ACC), ...simd(27), i]; // i32x4.extract_lane
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR_IF = 0x0d;

const code = [
  ...[2, 2, 0x7f, 1, 0x7b], // locals: LEFT and Q (i32), ACC (v128)
  ...[BLOCK, VOID, ...get(COUNT), 0x45 /* i32.eqz */, BR_IF, 0],
  ...[LOOP, VOID],
  ...[...i32(0), ...simd(17) /* i32x4.splat */, ...set(ACC), ...get(QUERY), ...set(Q), ...get(BLOCKS), ...set(LEFT)],
  ...[LOOP, VOID],
  ...get(ACC),
  ...[...get(VECTORS), ...load8x8s(0), ...get(Q), ...load8x8s(0), ...DOT, ...ADD],
  ...[...get(VECTORS), ...load8x8s(8), ...get(Q), ...load8x8s(8), ...DOT, ...ADD],
  ...set(ACC),
  ...[...get(VECTORS), ...i32(16), I32_ADD, ...set(VECTORS), ...get(Q), ...i32(16), I32_ADD, ...set(Q)],
  ...[...get(LEFT), ...i32(1), I32_SUB, ...tee(LEFT), BR_IF, 0, END],
  ...[...get(OUT), ...lane(0), ...lane(1), I32_ADD, ...lane(2), I32_ADD, ...lane(3), I32_ADD, 0x36 /* i32.store */, 2, 0],
  ...[...get(OUT), ...i32(4), I32_ADD, ...set(OUT)],
  ...[...get(COUNT), ...i32(1), I32_SUB, ...tee(COUNT), BR_IF, 0, END],
  ...[END, END],
];

const module = new WebAssembly.Module(
  new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // (i32 × 5) → ()
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 0x00]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("scan"), 0x00, 0]),
    ...section(10, [1, ...leb(code.length), ...code]),
  ]),
);

/** Vectors quantized to int8 (see quantize.mjs): their ids, length, codes (`strideOf(dims)` bytes each) and scales. */
export interface Quantized {
  ids: Float64Array;
  dims: number;
  codes: Int8Array;
  scales: Float32Array;
}

/** Quantizes vectors of one length. */
export function quantize(rows: ReadonlyArray<{ chunkId: number; vector: Float32Array }>): Quantized {
  const dims = rows[0]?.vector.length ?? 0;
  const stride = strideOf(dims);
  const q = { ids: new Float64Array(rows.length), dims, codes: new Int8Array(rows.length * stride), scales: new Float32Array(rows.length) };
  rows.forEach((r, i) => {
    q.ids[i] = r.chunkId;
    quantizeInto(r.vector, 1, dims, q.codes, i * stride, stride, q.scales, i);
  });
  return q;
}

/** Many vectors quantized to int8 in a WebAssembly memory of their own, scored against a query in one pass. */
export class Int8Matrix {
  readonly count: number;
  readonly dims: number;
  readonly ids: Float64Array;
  private readonly scales: Float32Array;
  private readonly stride: number;
  private readonly memory: WebAssembly.Memory;
  private readonly scan: (query: number, vectors: number, count: number, blocks: number, out: number) => void;
  private readonly codesAt: number;
  private readonly out: Float32Array;

  constructor(q: Quantized) {
    [this.count, this.dims, this.ids, this.scales] = [q.ids.length, q.dims, q.ids, q.scales];
    this.stride = strideOf(q.dims);
    this.out = new Float32Array(this.count);
    // [query | one int32 score per vector | the vectors' codes]
    this.codesAt = this.stride + this.count * 4;
    this.memory = new WebAssembly.Memory({ initial: Math.ceil((this.codesAt + q.codes.length) / 65536) || 1 });
    new Int8Array(this.memory.buffer, this.codesAt, q.codes.length).set(q.codes);
    this.scan = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports.scan as Int8Matrix["scan"];
  }

  /** Bytes held. */
  get bytes(): number {
    return this.memory.buffer.byteLength + this.scales.byteLength + this.out.byteLength + this.ids.byteLength;
  }

  /** Each vector's dot product with `query`, approximately (as int8 codes allow); valid until the next call. */
  dots(query: Float32Array): Float32Array {
    if (!this.count || !this.dims) return this.out.fill(0);
    const scale = new Float32Array(1);
    quantizeInto(query, 1, this.dims, new Int8Array(this.memory.buffer, 0, this.stride), 0, this.stride, scale);
    this.scan(0, this.codesAt, this.count, this.stride / 16, this.stride);
    const raw = new Int32Array(this.memory.buffer, this.stride, this.count);
    const out = this.out;
    for (let i = 0; i < this.count; i++) out[i] = raw[i]! * this.scales[i]! * scale[0]!;
    return out;
  }
}
