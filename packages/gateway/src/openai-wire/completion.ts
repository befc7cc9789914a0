import type { GenerateResult } from "@benih/spec";
import { openAIUsage, toOpenAIFinishReason } from "./finish-reason.ts";

/** A non-streamed chat completion in OpenAI's shape. */
export function toCompletionBody(id: string, model: string, created: number, r: GenerateResult) {
  let text = "";
  const toolCalls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> = [];
  for (const p of r.content) {
    if (p.type === "text") text += p.text;
    else if (p.type === "tool-call")
      toolCalls.push({ id: p.toolCallId, type: "function", function: { name: p.toolName, arguments: p.input } });
  }
  return {
    id,
    object: "chat.completion" as const,
    created,
    model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant" as const,
          content: toolCalls.length && !text ? null : text,
          refusal: null,
          ...(toolCalls.length && { tool_calls: toolCalls }),
        },
        logprobs: null,
        finish_reason: toOpenAIFinishReason(r.finishReason),
      },
    ],
    usage: openAIUsage(r.usage),
  };
}
