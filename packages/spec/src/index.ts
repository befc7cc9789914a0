// benih's model specification: types only, no runtime code. Every provider speaks it, the gateway translates the
// OpenAI wire format to and from it. Kept provider-neutral on purpose: the Anthropic provider must fit it as well
// as the OpenAI-compatible ones.

export type { Message, SystemMessage, UserMessage, AssistantMessage, ToolMessage } from "./message.ts";
export type { TextPart, ImagePart, ToolCallPart, ToolResultPart } from "./message.ts";
export type { JSONSchema, FunctionTool, ToolChoice } from "./tool.ts";
export type { CallOptions, ResponseFormat } from "./call-options.ts";
export type { StreamPart, FinishReason, Usage, CallWarning } from "./stream-part.ts";
export type { ChatModel, GenerateResult, StreamResult, ModelCapabilities } from "./chat-model.ts";
export type { Provider, ModelInfo, ModerationResult } from "./provider.ts";
export type { EmbeddingModel, EmbeddingInput, EmbedOptions, EmbedResult, EmbeddingLimits } from "./embedding-model.ts";
export type { ProviderFailure, ProviderFailureKind } from "./failure.ts";
