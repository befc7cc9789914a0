import type { FinishReason } from "@benih/spec";

export function toOpenAIFinishReason(r: FinishReason): "stop" | "length" | "tool_calls" | "content_filter" {
  switch (r) {
    case "length":
      return "length";
    case "tool-calls":
      return "tool_calls";
    case "content-filter":
      return "content_filter";
    default:
      return "stop";
  }
}

export function openAIUsage(u: { inputTokens: number | undefined; outputTokens: number | undefined }) {
  const prompt = u.inputTokens ?? 0;
  const completion = u.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
