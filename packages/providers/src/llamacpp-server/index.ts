import type { OpenAICompatiblePreset } from "../shared/preset.ts";

/** llama.cpp's own `llama-server`, a separate process (the in-process one is the llama-cpp provider). */
export const llamacppServer: OpenAICompatiblePreset = {
  id: "llamacpp-server",
  displayName: "llama.cpp server",
  defaultName: "llamacpp",
  defaultBaseURL: "http://127.0.0.1:8081/v1",
  baseURLEnv: "LLAMACPP_SERVER_URL",
  needsApiKey: false,
  versionPath: "/v1",
  region: "local",
};
