import type { Message } from "./message.ts";
import type { FunctionTool, ToolChoice } from "./tool.ts";

import type { JSONSchema } from "./tool.ts";

/** `json` with a schema asks for output matching it; without one, for any JSON object. */
export type ResponseFormat = { type: "text" } | { type: "json"; schema?: JSONSchema; name?: string };

export interface CallOptions {
  prompt: Message[];
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseFormat?: ResponseFormat;
  tools?: FunctionTool[];
  toolChoice?: ToolChoice;
  /** End-user id, forwarded where the upstream accepts one. */
  user?: string;
  /** Aborting cancels the upstream request, including a stream in progress. */
  abortSignal?: AbortSignal;
  /** Extra HTTP headers for this call (HTTP providers only). */
  headers?: Record<string, string>;
}
