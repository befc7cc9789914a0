import type { EmbeddingInput, EmbeddingLimits } from "@benih/spec";
import { badRequest, GatewayError } from "../errors.ts";
import { embeddingsRequest } from "./embeddings-schema.ts";
import { describe, paramName } from "./parse-request.ts";

/** What one embeddings request may ask for, checked before any model (or tokenizer) sees it. */
export interface EmbeddingBudget {
  /** Inputs in one request (OpenAI's limit is 2048). */
  inputs: number;
  /** Bytes of the request body: refused with a 413 before it is parsed. */
  bodyBytes: number;
}

// 4 MiB holds OpenAI's 300,000 tokens a request as text (about 1.2 MB of English, 0.9 MB of Chinese) or as token
// ids, with room to spare; anything larger could not be embedded anyway.
export const defaultEmbeddingBudget: EmbeddingBudget = { inputs: 2048, bodyBytes: 4 * 1024 * 1024 };

/** An embeddings request, its input always a list (a text, or a text as token ids, per item). */
export interface EmbeddingsCall {
  model: string;
  inputs: EmbeddingInput[];
  base64: boolean;
  dimensions?: number;
  user?: string;
}

const isTokenList = (v: unknown[]): v is number[] => v.length > 0 && typeof v[0] === "number";

export function parseEmbeddingsRequest(body: unknown, budget: EmbeddingBudget): EmbeddingsCall {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
  const parsed = embeddingsRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = paramName(issue.path);
    const message =
      issue.code === "invalid_union" && where === "input"
        ? "Invalid value for 'input': expected a string, an array of strings, an array of token ids, or an array of arrays of token ids."
        : describe(issue);
    throw badRequest(message, where || null, "invalid_value");
  }
  const req = parsed.data;
  const input = req.input;
  const inputs: EmbeddingInput[] = typeof input === "string" ? [input] : isTokenList(input) ? [input] : (input as EmbeddingInput[]);
  if (!inputs.length) throw badRequest("Invalid value for 'input': the list of inputs is empty.", "input", "empty_input");
  if (inputs.length > budget.inputs)
    throw badRequest(`The request has ${inputs.length} inputs; the limit is ${budget.inputs}.`, "input", "too_many_inputs");
  const empty = inputs.findIndex((x) => x.length === 0);
  if (empty >= 0) {
    const where = typeof input === "string" || isTokenList(input as unknown[]) ? "input" : `input[${empty}]`;
    throw badRequest(`Invalid value for '${where}': an input must not be empty.`, where, "empty_input");
  }
  return {
    model: req.model,
    inputs,
    base64: req.encoding_format === "base64",
    ...(req.dimensions != null && { dimensions: req.dimensions }),
    ...(req.user != null && { user: req.user }),
  };
}

/**
 * Checks a request against what its model is known to take (local models know; an upstream answers for itself):
 * `dimensions` within the vectors' length, and inputs given as token ids within the tokens one input may have
 * (texts are counted by the model's tokenizer, which refuses them before evaluating anything).
 */
export function checkAgainstLimits(call: EmbeddingsCall, limits: EmbeddingLimits): void {
  if (call.dimensions !== undefined && call.dimensions > limits.dimensions)
    throw badRequest(
      `Invalid value for 'dimensions': model ${call.model} gives vectors of ${limits.dimensions} dimensions; ${call.dimensions} is more.`,
      "dimensions",
      "invalid_value",
    );
  call.inputs.forEach((x, i) => {
    if (typeof x !== "string" && x.length > limits.maxInputTokens)
      throw new GatewayError(
        400,
        "invalid_request_error",
        `input[${i}] is ${x.length} tokens; model ${call.model} embeds at most ${limits.maxInputTokens} tokens per input.`,
        "context_length_exceeded",
        `input[${i}]`,
      );
  });
}

/**
 * The tokens a request is reserved for, without a tokenizer: a token list's length, and for a text one token per
 * character, as the chat path estimates (rarely short; too much is only held until the request settles).
 */
export const estimatedTokens = (inputs: EmbeddingInput[]) => inputs.reduce((n, x) => n + x.length, 0);
