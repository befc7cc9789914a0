import type { OpenAICompatiblePreset } from "../shared/preset.ts";

export const deepseek: OpenAICompatiblePreset = {
  id: "deepseek",
  displayName: "DeepSeek",
  defaultName: "deepseek",
  defaultBaseURL: "https://api.deepseek.com/v1",
  apiKeyEnv: "DEEPSEEK_API_KEY",
  baseURLEnv: "DEEPSEEK_BASE_URL",
  needsApiKey: true,
  quirks: { seed: false },
  capabilities: { images: false },
  region: "cn",
};
