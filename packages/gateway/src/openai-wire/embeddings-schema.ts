import { z } from "zod";

// OpenAI's embeddings request and answer, as documented. Unknown request fields are accepted and ignored, as for
// chat completions; known ones are checked so a mistake gets a 400 naming the field.

const token = z.number().int().nonnegative();
const tokens = z.array(token);

export const embeddingsRequest = z.looseObject({
  model: z.string().min(1),
  /** A text, texts, a text as token ids, or texts as token ids. */
  input: z.union([z.string(), z.array(z.string()), tokens, z.array(tokens)]),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.number().int().positive().nullish(),
  user: z.string().nullish(),
});
export type EmbeddingsRequest = z.infer<typeof embeddingsRequest>;

export const embeddingsResponse = z.object({
  object: z.literal("list"),
  data: z.array(
    z.object({
      object: z.literal("embedding"),
      index: z.number().int(),
      /** Floats, or with encoding_format "base64" the float32 values' little-endian bytes in base64. */
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});
export type EmbeddingsResponse = z.infer<typeof embeddingsResponse>;
