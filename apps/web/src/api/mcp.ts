// MCP tools: those the market's agents may use (GET /v1/mcp/tools), and the person's OK for a call that waits.
import { call } from "./http.ts";

/** An MCP tool as the server lists it. */
export interface McpTool {
  /** How an agent names it among its skills: `mcp:<server>/<tool>`. */
  id: string;
  server: string;
  tool: string;
  title?: string;
  description: string;
  /** It waits for the person's OK before each call. */
  confirm: boolean;
}

export interface McpTools {
  data: McpTool[];
  /** Servers that could not be reached, and why. */
  errors: Array<{ server: string; message: string }>;
}

export const getMcpTools = () => call<McpTools>("GET", "/v1/mcp/tools");

/** Approves or declines a call an answer is waiting on. */
export const decideToolCall = (conversation: string, answer: string, callId: string, approve: boolean) =>
  call<{ id: string; approve: boolean }>("POST", `/v1/conversations/${conversation}/messages/${answer}/tool-calls/${callId}`, {
    approve,
  });
