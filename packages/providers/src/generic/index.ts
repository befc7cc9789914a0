import type { OpenAICompatiblePreset } from "../shared/preset.ts";

/** Any other OpenAI-compatible server; its base URL must be configured. */
export const generic: OpenAICompatiblePreset = {
  id: "openai-compatible",
  displayName: "OpenAI-compatible",
  needsApiKey: false,
};
