import type { EmbeddingsResponse } from "./embeddings-schema.ts";

/** A vector as OpenAI's base64 encoding carries it: float32 values, little-endian, in base64. */
export function base64Floats(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString("base64");
}

/**
 * The answer in OpenAI's shape. Floats are sent at float32 precision, as OpenAI's are, so the "float" and "base64"
 * answers of one input carry exactly the same numbers.
 */
export function toEmbeddingsBody(model: string, vectors: number[][], base64: boolean, promptTokens: number): EmbeddingsResponse {
  return {
    object: "list",
    data: vectors.map((v, index) => ({
      object: "embedding",
      index,
      embedding: base64 ? base64Floats(v) : Array.from(Float32Array.from(v)),
    })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
