import type { OpenAICompatiblePreset } from "../shared/preset.ts";

export const vllm: OpenAICompatiblePreset = {
  id: "vllm",
  displayName: "vLLM",
  defaultName: "vllm",
  defaultBaseURL: "http://127.0.0.1:8000/v1",
  baseURLEnv: "VLLM_BASE_URL",
  needsApiKey: false,
  versionPath: "/v1",
  region: "local",
};
