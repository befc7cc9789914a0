import type { OpenAICompatiblePreset } from "../shared/preset.ts";

/** Volcano Engine Ark (Doubao models); model ids are model names or endpoint ids (ep-…). */
export const volcanoArk: OpenAICompatiblePreset = {
  id: "volcano-ark",
  displayName: "Volcano Ark (Doubao)",
  defaultName: "ark",
  defaultBaseURL: "https://ark.cn-beijing.volces.com/api/v3",
  apiKeyEnv: "ARK_API_KEY",
  baseURLEnv: "ARK_BASE_URL",
  needsApiKey: true,
  quirks: { seed: false, penalties: true },
  region: "cn",
};
