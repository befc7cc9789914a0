import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { json } from "./server.ts";

/** The length of each model's vectors, as OpenAI documents them; any other model gives 1536. */
export const fakeEmbeddingSizes: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

const errorBody = (message: string, type: string, code: string | null, param: string | null = null) => ({
  error: { message, type, param, code },
});

/**
 * A unit vector that depends only on the model and the input: the input's SHA-256 stretched with a counter into
 * values in [-1, 1]. With `dimensions` it is the full vector's first components scaled back to unit length, which
 * is what OpenAI's text-embedding-3 models do, so a test can compute what it must get.
 */
export function fakeEmbedding(model: string, input: string | number[], dimensions?: number): number[] {
  const size = fakeEmbeddingSizes[model] ?? 1536;
  const seed = `${model}\0${typeof input === "string" ? input : `tokens:${input.join(",")}`}`;
  const values: number[] = [];
  for (let block = 0; values.length < size; block++) {
    const digest = createHash("sha256").update(`${block}\0${seed}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < size; i += 2) values.push(digest.readUInt16LE(i) / 32767.5 - 1);
  }
  const cut = values.slice(0, dimensions ?? size);
  const norm = Math.hypot(...cut);
  return cut.map((x) => x / norm);
}

const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t) && t >= 0);

/**
 * OpenAI's `POST /v1/embeddings`: checks the key, the input (a string, strings, token ids or lists of token ids; none
 * empty), and `dimensions` (text-embedding-ada-002 takes none; others at most their size), then answers one
 * `fakeEmbedding` per input as floats or base64 float32, with a prompt token per character or token id. Models named
 * `rate-limited` (429, retry-after 0), `unauthorized` (401) and `error-500` fail as OpenAI does; `no-usage` answers
 * without `usage`, as some compatible servers do.
 */
export function answerEmbeddings(req: IncomingMessage, res: ServerResponse, body: any) {
  if (!req.headers.authorization?.startsWith("Bearer "))
    return json(res, 401, errorBody("You didn't provide an API key.", "invalid_request_error", "invalid_api_key"));
  const model: string = body?.model ?? "";
  if (model === "rate-limited")
    return json(res, 429, errorBody("Rate limit reached for requests", "requests", "rate_limit_exceeded"), { "retry-after": "0" });
  if (model === "unauthorized") return json(res, 401, errorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
  if (model === "error-500")
    return json(res, 500, errorBody("The server had an error while processing your request.", "server_error", null));
  const input: unknown = body?.input;
  const inputs: Array<string | number[]> | undefined =
    typeof input === "string"
      ? [input]
      : isTokens(input)
        ? [input]
        : Array.isArray(input) && input.every((x) => typeof x === "string" || isTokens(x))
          ? (input as Array<string | number[]>)
          : undefined;
  if (!inputs?.length || inputs.some((x) => x.length === 0))
    return json(res, 400, errorBody("'$.input' is invalid. Please check the API reference.", "invalid_request_error", null, "input"));
  const size = fakeEmbeddingSizes[model] ?? 1536;
  const dimensions: unknown = body.dimensions;
  if (dimensions !== undefined && model === "text-embedding-ada-002")
    return json(res, 400, errorBody("This model does not support specifying dimensions.", "invalid_request_error", null, "dimensions"));
  if (dimensions !== undefined && (!Number.isInteger(dimensions) || (dimensions as number) < 1 || (dimensions as number) > size))
    return json(
      res,
      400,
      errorBody(
        `Invalid value for 'dimensions' = ${String(dimensions)}. Must be between 1 and ${size}.`,
        "invalid_request_error",
        null,
        "dimensions",
      ),
    );
  const base64 = body.encoding_format === "base64";
  const data = inputs.map((x, index) => {
    const v = fakeEmbedding(model, x, dimensions as number | undefined);
    const embedding = base64 ? Buffer.from(Float32Array.from(v).buffer).toString("base64") : v;
    return { object: "embedding", index, embedding };
  });
  const tokens = inputs.reduce((n, x) => n + x.length, 0);
  json(res, 200, { object: "list", data, model, ...(model !== "no-usage" && { usage: { prompt_tokens: tokens, total_tokens: tokens } }) });
}
