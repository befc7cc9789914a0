import type { OpenAICompatiblePreset } from "../shared/preset.ts";

export const ollama: OpenAICompatiblePreset = {
  id: "ollama",
  displayName: "Ollama",
  defaultName: "ollama",
  defaultBaseURL: "http://127.0.0.1:11434/v1",
  baseURLEnv: "OLLAMA_BASE_URL",
  needsApiKey: false,
  versionPath: "/v1",
  region: "local",
};
