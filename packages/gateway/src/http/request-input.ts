import type { FastifyRequest } from "fastify";
import type { z } from "zod";
import { GatewayError } from "../errors.ts";

/** The body (or the part of it at `at`) as `schema` reads it, or a 400 naming the first field that is wrong. */
export function parse<T>(schema: z.ZodType<T>, body: unknown, at?: string): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = [at, ...issue.path].filter((p) => p !== undefined).join(".") || null;
  throw new GatewayError(400, "invalid_request_error", `${param ?? "body"}: ${issue.message}`, "invalid_body", param);
}

export const notFound = (what: string) =>
  new GatewayError(404, "not_found_error", `${what} does not exist (or belongs to someone else).`, "not_found");

export const idParam = (request: FastifyRequest) => (request.params as { id: string }).id;

/**
 * A whole-number query parameter (`limit`, `before`): undefined when absent, at most `max`; anything else (a
 * fraction, a word, below `min`) is a 400 naming it, never a number handed to SQL as it came.
 */
export function wholeQuery(raw: string | undefined, name: string, o: { min?: number; max?: number } = {}): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  const min = o.min ?? 0;
  if (!Number.isSafeInteger(n) || n < min)
    throw new GatewayError(400, "invalid_request_error", `${name}: a whole number of at least ${min}`, "invalid_query", name);
  return o.max === undefined ? n : Math.min(n, o.max);
}
