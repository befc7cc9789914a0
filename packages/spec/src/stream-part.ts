export type FinishReason = "stop" | "length" | "tool-calls" | "content-filter" | "error" | "other";

export interface Usage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
}

/** Something the provider ignored or changed, e.g. a parameter the upstream does not support. */
export interface CallWarning {
  type: "unsupported-setting" | "other";
  setting?: string;
  message: string;
}

/**
 * A stream is `ReadableStream<StreamPart>`. Tool calls stream as `tool-input-start`, any number of
 * `tool-input-delta`, then one complete `tool-call`. A failure after the stream has started arrives as an
 * `error` part, never as a rejected read.
 */
export type StreamPart =
  | { type: "stream-start"; warnings: CallWarning[] }
  | { type: "response-metadata"; id?: string; modelId?: string; created?: number }
  | { type: "text-delta"; delta: string }
  | { type: "tool-input-start"; id: string; toolName: string }
  | { type: "tool-input-delta"; id: string; delta: string }
  | { type: "tool-call"; toolCallId: string; toolName: string; input: string }
  | { type: "finish"; finishReason: FinishReason; usage: Usage }
  | { type: "error"; error: unknown };
