import type { ModelCapabilities } from "@benih/spec";
import type { Quirks } from "../openai-compatible/settings.ts";

/**
 * An OpenAI-compatible upstream described as data: where it is, which environment variables turn it on, and how
 * it differs from OpenAI. Adding a provider of this kind is adding one of these.
 */
export interface OpenAICompatiblePreset {
  id: string;
  displayName: string;
  /** The instance name (and model prefix) when registered from environment variables alone. */
  defaultName?: string;
  defaultBaseURL?: string;
  /** Setting this variable registers the provider on its own. */
  apiKeyEnv?: string;
  baseURLEnv?: string;
  /** Local servers need no key; remote ones are only registered when their key is set. */
  needsApiKey: boolean;
  /** Appended to a base URL that lacks it (a user writes http://host:11434 for Ollama). */
  versionPath?: string;
  quirks?: Partial<Quirks>;
  capabilities?: Partial<ModelCapabilities>;
  /** Where this provider's servers are; used by market checks later. */
  region?: "cn" | "global" | "local";
}
