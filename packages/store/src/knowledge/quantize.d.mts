export function quantizeInto(
  floats: ArrayLike<number>,
  count: number,
  dims: number,
  codes: Int8Array,
  at: number,
  stride: number,
  scales: Float32Array,
  first?: number,
): void;
export function strideOf(dims: number): number;
