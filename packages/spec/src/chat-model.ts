import type { CallOptions } from "./call-options.ts";
import type { TextPart, ToolCallPart } from "./message.ts";
import type { CallWarning, FinishReason, StreamPart, Usage } from "./stream-part.ts";

export interface ModelCapabilities {
  tools: boolean;
  jsonMode: boolean;
  images: boolean;
}

export interface GenerateResult {
  content: Array<TextPart | ToolCallPart>;
  finishReason: FinishReason;
  usage: Usage;
  warnings: CallWarning[];
  response?: { id?: string; modelId?: string; created?: number };
}

export interface StreamResult {
  stream: ReadableStream<StreamPart>;
}

/**
 * A chat model. `doStream` resolves once the upstream has accepted the request (so an HTTP error status rejects
 * it, which lets a gateway fall back before anything was sent to its client); later failures are `error` parts.
 */
export interface ChatModel {
  readonly specificationVersion: "benih-1";
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities: ModelCapabilities;
  doGenerate(options: CallOptions): Promise<GenerateResult>;
  doStream(options: CallOptions): Promise<StreamResult>;
}
