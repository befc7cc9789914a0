import type { z } from "zod";
import { badRequest } from "../errors.ts";
import { chatCompletionRequest, type ChatCompletionRequest } from "./request-schema.ts";

/** `messages[0].content` from a zod path. */
export function paramName(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

/** A zod issue as OpenAI words a bad parameter. */
export function describe(issue: z.core.$ZodIssue): string {
  const where = paramName(issue.path);
  if (issue.code === "invalid_type" && issue.input === undefined) return `Missing required parameter: '${where}'.`;
  if (issue.code === "invalid_union" && where.endsWith("content")) {
    return `Invalid value for '${where}': expected a string or an array of content parts.`;
  }
  return `Invalid value for '${where || "body"}': ${issue.message}.`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || v === null || check(v);
const numberIn = (min: number, max: number) => (v: unknown) => typeof v === "number" && v >= min && v <= max;
const zeroToTwo = numberIn(0, 2);
const zeroToOne = numberIn(0, 1);
const positiveInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;
const textRoles = new Set(["system", "developer", "user", "assistant"]);

/** A message of text only: a role that takes text, string content, an optional name, nothing else. */
function plainMessage(m: unknown): boolean {
  if (!isObject(m)) return false;
  for (const k in m) {
    if (k === "role") {
      if (!textRoles.has(m.role as string)) return false;
    } else if (k === "content" || k === "name") {
      if (typeof m[k] !== "string") return false;
    } else return false;
  }
  return typeof m.content === "string" && m.role !== undefined;
}

type Check = (v: unknown) => boolean;
const isText: Check = (v) => typeof v === "string";
const isBoolean: Check = (v) => typeof v === "boolean";
const includeUsage: Check = (v) => isObject(v) && Object.keys(v).every((k) => k === "include_usage" && typeof v[k] === "boolean");

/** The root fields a plain request may hold, each with its check; the schema's other fields go to zod. */
const plainFields = new Map<string, Check>([
  ["model", (v) => typeof v === "string" && v.length > 0],
  ["messages", (v) => Array.isArray(v) && v.length > 0 && v.every(plainMessage)],
  ["stream", (v) => optional(v, isBoolean)],
  ["stream_options", (v) => optional(v, includeUsage)],
  ["temperature", (v) => optional(v, zeroToTwo)],
  ["top_p", (v) => optional(v, zeroToOne)],
  ["max_tokens", (v) => optional(v, positiveInt)],
  ["max_completion_tokens", (v) => optional(v, positiveInt)],
  ["user", (v) => optional(v, isText)],
]);
const schemaFields = new Set(Object.keys(chatCompletionRequest.shape));

/**
 * The common request (text messages, sampling settings) checked by hand: only what the schema surely accepts,
 * and nothing it would strip, so the body is already what zod would return. Anything else, valid or not, is left
 * to zod, which names the field that is wrong.
 */
function plainRequest(body: Record<string, unknown>): ChatCompletionRequest | undefined {
  if (body.model === undefined || body.messages === undefined) return undefined;
  for (const k in body) {
    const check = plainFields.get(k);
    if (check ? !check(body[k]) : schemaFields.has(k)) return undefined;
  }
  return body as ChatCompletionRequest;
}

export function parseChatRequest(body: unknown): ChatCompletionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
  const plain = plainRequest(body as Record<string, unknown>);
  if (plain) return plain;
  const parsed = chatCompletionRequest.safeParse(body);
  if (!parsed.success) {
    // The first issue names the field; more would be noise for the common case of one mistake.
    const issue = parsed.error.issues[0]!;
    throw badRequest(describe(issue), paramName(issue.path) || null, "invalid_value");
  }
  const req = parsed.data;
  if (
    req.tool_choice &&
    typeof req.tool_choice === "object" &&
    !req.tools?.some((t) => t.function.name === (req.tool_choice as { function: { name: string } }).function.name)
  ) {
    throw badRequest("tool_choice names a function that is not in tools.", "tool_choice", "invalid_value");
  }
  const ids = new Set(req.messages.flatMap((m) => (m.role === "assistant" ? (m.tool_calls ?? []).map((c) => c.id) : [])));
  req.messages.forEach((m, i) => {
    if (m.role === "tool" && !ids.has(m.tool_call_id)) {
      throw badRequest(
        `Invalid value for 'messages[${i}].tool_call_id': no earlier assistant message has a tool call with id '${m.tool_call_id}'.`,
        `messages[${i}].tool_call_id`,
        "invalid_value",
      );
    }
  });
  return req;
}
