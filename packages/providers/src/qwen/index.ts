import type { OpenAICompatiblePreset } from "../shared/preset.ts";

/** Alibaba Cloud DashScope in OpenAI-compatible mode (international: dashscope-intl.aliyuncs.com). */
export const qwen: OpenAICompatiblePreset = {
  id: "qwen",
  displayName: "Qwen (DashScope)",
  defaultName: "qwen",
  defaultBaseURL: "https://dashscope.aliyuncs.com/compatible-mode/v1",
  apiKeyEnv: "DASHSCOPE_API_KEY",
  baseURLEnv: "DASHSCOPE_BASE_URL",
  needsApiKey: true,
  region: "cn",
};
