/** GGUF metadata value types, numbered as in the GGUF specification. */
export const ValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/** The ggml tensor types this package writes. */
export const TensorType = { F32: 0, F16: 1, Q8_0: 8 } as const;
export type TensorType = (typeof TensorType)[keyof typeof TensorType];

export type ScalarValueType = Exclude<ValueType, typeof ValueType.ARRAY>;

/**
 * One metadata entry. The type is explicit because llama.cpp checks it strictly: a count must be u32 and an
 * epsilon f32; an i32 context length or an f64 epsilon makes the load fail.
 */
export type MetadataEntry =
  | { key: string; type: Exclude<ScalarValueType, typeof ValueType.STRING | typeof ValueType.BOOL>; value: number | bigint }
  | { key: string; type: typeof ValueType.STRING; value: string }
  | { key: string; type: typeof ValueType.BOOL; value: boolean }
  | { key: string; type: typeof ValueType.ARRAY; itemType: ScalarValueType; value: Array<string | number | bigint | boolean> };

/**
 * A tensor in row-major order. `dims` is listed innermost first, as GGUF does: a row-major `W[out][in]` has
 * `dims = [in, out]`.
 */
export interface TensorEntry {
  name: string;
  dims: number[];
  data: Float32Array;
  /** How to store it; F32 unless given. */
  type?: TensorType;
}

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const DEFAULT_ALIGNMENT = 32;
