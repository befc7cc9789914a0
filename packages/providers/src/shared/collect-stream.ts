import type { GenerateResult, StreamPart, StreamResult } from "@benih/spec";

/** A whole result from a stream, for providers whose only native mode is streaming. Error parts are thrown. */
export async function collectStream({ stream }: StreamResult): Promise<GenerateResult> {
  const result: GenerateResult = {
    content: [],
    finishReason: "other",
    usage: { inputTokens: undefined, outputTokens: undefined },
    warnings: [],
  };
  let text = "";
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const part: StreamPart = value;
    switch (part.type) {
      case "stream-start":
        result.warnings.push(...part.warnings);
        break;
      case "response-metadata":
        result.response = { ...result.response, ...part };
        delete (result.response as { type?: string }).type;
        break;
      case "text-delta":
        text += part.delta;
        break;
      case "tool-call":
        result.content.push({ type: "tool-call", toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
        break;
      case "finish":
        result.finishReason = part.finishReason;
        result.usage = part.usage;
        break;
      case "error":
        throw part.error;
    }
  }
  if (text) result.content.unshift({ type: "text", text });
  return result;
}
