// int8 quantization of vectors, each with a scale of its own (code · scale ≈ value), for the in-process copies that
// vector search scans (int8-scan.ts), here rather than in TypeScript so that the loading worker
// (vector-load-worker.mjs) runs the same code.

/**
 * Quantizes `count` vectors of `dims` floats, end to end in `floats`, into `codes` (vector i at `at + i · stride`)
 * and their scales into `scales` (from `first`).
 */
export function quantizeInto(floats, count, dims, codes, at, stride, scales, first = 0) {
  for (let i = 0; i < count; i++) {
    const o = i * dims;
    let max = 0;
    for (let j = 0; j < dims; j++) {
      const a = Math.abs(floats[o + j]);
      if (a > max) max = a;
    }
    const scale = max / 127 || 1;
    const inverse = 1 / scale;
    const c = at + i * stride;
    for (let j = 0; j < dims; j++) codes[c + j] = Math.round(floats[o + j] * inverse);
    scales[first + i] = scale;
  }
}

/** Bytes a vector takes among others: its length rounded up to 16, the SIMD scan's step (zeros add nothing). */
export const strideOf = (dims) => Math.ceil(dims / 16) * 16;
