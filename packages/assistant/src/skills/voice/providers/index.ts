import { dashscopeAudio } from "./dashscope/index.ts";
import { openaiAudio } from "./openai/index.ts";
import type { AudioProvider, AudioProviderType } from "./provider.ts";
import { volcengineAudio } from "./volcengine/index.ts";

/**
 * The audio providers by `type`, one folder each. Adding one: a folder exporting an `AudioProvider` for its
 * documented API, a line here, its `type` in provider.ts and in the server's config schema.
 */
export function audioProviders(fetchImpl?: typeof fetch): Record<AudioProviderType, AudioProvider> {
  const openai = openaiAudio(fetchImpl);
  return { openai, "openai-compatible": openai, volcengine: volcengineAudio(fetchImpl), dashscope: dashscopeAudio() };
}
