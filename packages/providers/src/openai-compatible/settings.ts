import type { ModelCapabilities } from "@benih/spec";

/** How an OpenAI-compatible upstream differs from OpenAI's own API. Presets differ only in this table. */
export interface Quirks {
  /** OpenAI's reasoning models reject `max_tokens`; most compatible servers know only `max_tokens`. */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** Sends `stream_options: { include_usage: true }` so streams end with token counts. */
  streamUsage: boolean;
  seed: boolean;
  penalties: boolean;
}

export const defaultQuirks: Quirks = {
  maxTokensField: "max_tokens",
  streamUsage: true,
  seed: true,
  penalties: true,
};

export const defaultCapabilities: ModelCapabilities = { tools: true, jsonMode: true, images: true };

export interface OpenAICompatibleSettings {
  /** The provider's instance name; models are routed as `<name>/<model>`. */
  name: string;
  /** Up to and including the version segment, e.g. `https://api.openai.com/v1`. */
  baseURL: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Injected in tests so requests go to a loopback server. */
  fetch?: typeof fetch;
  quirks?: Partial<Quirks>;
  capabilities?: Partial<ModelCapabilities>;
  /** Path of the chat endpoint under baseURL. */
  chatPath?: string;
}
