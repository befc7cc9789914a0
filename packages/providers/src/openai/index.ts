import type { OpenAICompatiblePreset } from "../shared/preset.ts";

export const openai: OpenAICompatiblePreset = {
  id: "openai",
  displayName: "OpenAI",
  defaultName: "openai",
  defaultBaseURL: "https://api.openai.com/v1",
  apiKeyEnv: "OPENAI_API_KEY",
  baseURLEnv: "OPENAI_BASE_URL",
  needsApiKey: true,
  // Reasoning models reject max_tokens; every current OpenAI chat model accepts max_completion_tokens.
  quirks: { maxTokensField: "max_completion_tokens" },
  region: "global",
};
