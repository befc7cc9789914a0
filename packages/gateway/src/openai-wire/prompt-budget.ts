import { GatewayError } from "../errors.ts";
import type { ChatCompletionRequest } from "./request-schema.ts";

/** What one chat request may ask a model to read, checked before any model (or tokenizer) sees it. */
export interface PromptBudget {
  /** Characters of text across all messages. */
  promptChars: number;
  messages: number;
  /** Bytes of a response_format JSON schema or of one tool's parameters, as JSON. */
  schemaBytes: number;
  tools: number;
}

// 4M characters is about a million tokens, the largest context any provider offers today.
export const defaultPromptBudget: PromptBudget = { promptChars: 4_000_000, messages: 10_000, schemaBytes: 64 * 1024, tools: 128 };

const tooLarge = (message: string, param: string, code: string) => new GatewayError(413, "invalid_request_error", message, code, param);

/** Characters of text across a request's messages (what `promptChars` limits): contents and tool-call arguments. */
export function promptChars(req: ChatCompletionRequest): number {
  let chars = 0;
  for (const m of req.messages) {
    if (typeof m.content === "string") chars += m.content.length;
    else if (m.content) for (const p of m.content) chars += p.type === "text" ? p.text.length : 0;
    if (m.role === "assistant") for (const c of m.tool_calls ?? []) chars += c.function.arguments.length;
  }
  return chars;
}

/** Refuses (413, naming the limit) a request that breaks the budget. */
export function checkPromptBudget(req: ChatCompletionRequest, b: PromptBudget): void {
  if (req.messages.length > b.messages)
    throw tooLarge(`The request has ${req.messages.length} messages; the limit is ${b.messages}.`, "messages", "too_many_messages");
  const chars = promptChars(req);
  if (chars > b.promptChars)
    throw tooLarge(
      `The messages hold ${chars.toLocaleString("en")} characters of text; the limit is ${b.promptChars.toLocaleString("en")}.`,
      "messages",
      "prompt_too_large",
    );
  if ((req.tools?.length ?? 0) > b.tools)
    throw tooLarge(`The request offers ${req.tools!.length} tools; the limit is ${b.tools}.`, "tools", "too_many_tools");
  const schemas: Array<[string, unknown]> = req.tools?.map((t, i) => [`tools[${i}].function.parameters`, t.function.parameters]) ?? [];
  if (req.response_format?.type === "json_schema")
    schemas.push(["response_format.json_schema.schema", req.response_format.json_schema.schema]);
  for (const [param, schema] of schemas) {
    const bytes = schema === undefined ? 0 : Buffer.byteLength(JSON.stringify(schema));
    if (bytes > b.schemaBytes)
      throw tooLarge(
        `${param} is ${bytes.toLocaleString("en")} bytes of JSON; the limit is ${b.schemaBytes.toLocaleString("en")}.`,
        param,
        "schema_too_large",
      );
  }
}
