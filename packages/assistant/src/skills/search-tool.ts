import type { ToolDefinition } from "../model-client.ts";

/** A tool that searches for passages to cite, described as the model reads it. */
export const searchTool = (name: string, description: string): ToolDefinition => ({
  type: "function",
  function: {
    name,
    description: `${description} Returns numbered passages to cite as [n].`,
    parameters: {
      type: "object",
      properties: { query: { type: "string", description: "What to look for, in the user's words" } },
      required: ["query"],
      additionalProperties: false,
    },
  },
});
