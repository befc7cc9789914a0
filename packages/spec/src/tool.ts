/** A JSON Schema (draft 2020-12 or 7) object, passed to the model untouched. */
export type JSONSchema = { [key: string]: unknown };

export interface FunctionTool {
  type: "function";
  name: string;
  description?: string;
  inputSchema: JSONSchema;
}

export type ToolChoice = "auto" | "none" | "required" | { type: "tool"; toolName: string };
