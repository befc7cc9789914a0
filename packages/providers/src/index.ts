export { createOpenAICompatible, OpenAICompatibleChatModel, toOpenAIMessages, toOpenAIRequest } from "./openai-compatible/index.ts";
export type { OpenAICompatibleSettings, Quirks } from "./openai-compatible/index.ts";
export { createAnthropic, type AnthropicSettings } from "./anthropic/index.ts";
export { createLlamaCpp, type LlamaCppProvider, type LlamaCppSettings, type LlamaCppModelConfig } from "./llama-cpp/index.ts";
export { openAICompatiblePresets, normalizeBaseURL } from "./presets.ts";
export type { OpenAICompatiblePreset } from "./shared/preset.ts";
export { ProviderFailureError, isProviderFailure, parseRetryAfter } from "./shared/provider-failure.ts";
export { collectStream } from "./shared/collect-stream.ts";
export { transportFor, type HttpResponse, type Transport } from "./shared/transport.ts";
