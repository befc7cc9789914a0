/**
 * The first `dimensions` components of a vector, scaled to unit length. OpenAI's text-embedding-3 models shorten
 * vectors this way when asked for fewer `dimensions` (and give unit vectors anyway, so a dot product is the cosine
 * similarity); local models do the same so a client need not know which kind answered. How much meaning survives
 * the cut depends on the model: text-embedding-3 was trained for it, a local model may not have been.
 */
export function unitVector(vector: readonly number[], dimensions = vector.length): number[] {
  const out = vector.slice(0, dimensions);
  let sum = 0;
  for (const x of out) sum += x * x;
  const norm = Math.sqrt(sum);
  // An all-zero vector has no direction to keep: it is given back as it is rather than as NaNs.
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}
