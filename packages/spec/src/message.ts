export interface TextPart {
  type: "text";
  text: string;
}

/** An image given by URL; `data:` URLs carry the bytes inline. */
export interface ImagePart {
  type: "image";
  url: string;
  detail?: "auto" | "low" | "high";
}

/** A call the model asked for. `input` is the JSON text of the arguments, exactly as the model wrote it. */
export interface ToolCallPart {
  type: "tool-call";
  toolCallId: string;
  toolName: string;
  input: string;
}

export interface ToolResultPart {
  type: "tool-result";
  toolCallId: string;
  output: string;
}

export interface SystemMessage {
  role: "system";
  content: string;
}

export interface UserMessage {
  role: "user";
  content: Array<TextPart | ImagePart>;
}

export interface AssistantMessage {
  role: "assistant";
  content: Array<TextPart | ToolCallPart>;
}

export interface ToolMessage {
  role: "tool";
  content: ToolResultPart[];
}

export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
