import { deepseek } from "./deepseek/index.ts";
import { generic } from "./generic/index.ts";
import { llamacppServer } from "./llamacpp-server/index.ts";
import { ollama } from "./ollama/index.ts";
import { openai } from "./openai/index.ts";
import { qwen } from "./qwen/index.ts";
import type { OpenAICompatiblePreset } from "./shared/preset.ts";
import { vllm } from "./vllm/index.ts";
import { volcanoArk } from "./volcano-ark/index.ts";

export const openAICompatiblePresets: Record<string, OpenAICompatiblePreset> = Object.fromEntries(
  [openai, volcanoArk, deepseek, qwen, ollama, vllm, llamacppServer, generic].map((p) => [p.id, p]),
);

/** `http://host:11434` → `http://host:11434/v1` for servers whose OpenAI API lives under a version path. */
export function normalizeBaseURL(preset: OpenAICompatiblePreset, url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  if (preset.versionPath && !new URL(trimmed).pathname.replace(/\/+$/, "").endsWith(preset.versionPath)) {
    return trimmed + preset.versionPath;
  }
  return trimmed;
}
