import { z } from "zod";

// The chat-completions request as OpenAI documents it. Known fields are checked strictly so mistakes get a 400
// naming the field; unknown fields are accepted and ignored, as other OpenAI-compatible servers do.

const text = z.object({ type: z.literal("text"), text: z.string() });
const image = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const textContent = z.union([z.string(), z.array(text)]);

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: textContent, name: z.string().optional() }),
  z.object({ role: z.literal("developer"), content: textContent, name: z.string().optional() }),
  z.object({ role: z.literal("user"), content: z.union([z.string(), z.array(z.union([text, image]))]), name: z.string().optional() }),
  z.object({
    role: z.literal("assistant"),
    content: textContent.nullish(),
    tool_calls: z.array(toolCall).optional(),
    name: z.string().optional(),
    refusal: z.string().nullish(),
  }),
  z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string().min(1) }),
]);

const tool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1–64 letters, digits, underscores or dashes"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const nullableNumber = (min: number, max: number) => z.number().min(min).max(max).nullish();
const positiveInt = z.number().int().min(1).nullish();

export const chatCompletionRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: nullableNumber(0, 2),
  top_p: nullableNumber(0, 1),
  max_tokens: positiveInt,
  max_completion_tokens: positiveInt,
  n: z.literal(1, "only n = 1 is supported").nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  presence_penalty: nullableNumber(-2, 2),
  frequency_penalty: nullableNumber(-2, 2),
  response_format: z
    .discriminatedUnion("type", [
      z.object({ type: z.literal("text") }),
      z.object({ type: z.literal("json_object") }),
      z.object({
        type: z.literal("json_schema"),
        json_schema: z.object({
          name: z.string().min(1),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullish(),
        }),
      }),
    ])
    .nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: z
    .union([
      z.enum(["none", "auto", "required"]),
      z.object({ type: z.literal("function"), function: z.object({ name: z.string().min(1) }) }),
    ])
    .nullish(),
  user: z.string().nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;
