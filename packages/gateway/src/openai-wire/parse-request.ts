import type { z } from "zod";
import { badRequest } from "../errors.ts";
import { chatCompletionRequest, type ChatCompletionRequest } from "./request-schema.ts";

/** `messages[0].content` from a zod path. */
function paramName(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

function describe(issue: z.core.$ZodIssue): string {
  const where = paramName(issue.path);
  if (issue.code === "invalid_type" && issue.input === undefined) return `Missing required parameter: '${where}'.`;
  if (issue.code === "invalid_union" && where.endsWith("content")) {
    return `Invalid value for '${where}': expected a string or an array of content parts.`;
  }
  return `Invalid value for '${where || "body"}': ${issue.message}.`;
}

export function parseChatRequest(body: unknown): ChatCompletionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
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
