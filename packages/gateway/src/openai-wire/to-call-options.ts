import type { CallOptions, Message } from "@benih/spec";
import type { ChatCompletionRequest } from "./request-schema.ts";

type TextContent = string | Array<{ type: "text"; text: string }>;
const joinText = (c: TextContent | null | undefined) => (typeof c === "string" ? c : (c ?? []).map((p) => p.text).join(""));

export function toSpecMessages(messages: ChatCompletionRequest["messages"]): Message[] {
  return messages.map((m): Message => {
    switch (m.role) {
      case "system":
      case "developer":
        return { role: "system", content: joinText(m.content) };
      case "user":
        return {
          role: "user",
          content:
            typeof m.content === "string"
              ? [{ type: "text", text: m.content }]
              : m.content.map((p) =>
                  p.type === "text"
                    ? { type: "text" as const, text: p.text }
                    : { type: "image" as const, url: p.image_url.url, ...(p.image_url.detail && { detail: p.image_url.detail }) },
                ),
        };
      case "assistant": {
        const text = joinText(m.content);
        return {
          role: "assistant",
          content: [
            ...(text ? [{ type: "text" as const, text }] : []),
            ...(m.tool_calls ?? []).map((c) => ({
              type: "tool-call" as const,
              toolCallId: c.id,
              toolName: c.function.name,
              input: c.function.arguments,
            })),
          ],
        };
      }
      case "tool":
        return { role: "tool", content: [{ type: "tool-result", toolCallId: m.tool_call_id, output: joinText(m.content) }] };
      default:
        // Unreachable: the cases above cover every role the type admits.
        throw new Error(`unknown message role: ${(m as { role: string }).role}`);
    }
  });
}

export function toCallOptions(req: ChatCompletionRequest): CallOptions {
  const o: CallOptions = { prompt: toSpecMessages(req.messages) };
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) o.maxOutputTokens = maxTokens;
  if (req.temperature != null) o.temperature = req.temperature;
  if (req.top_p != null) o.topP = req.top_p;
  if (req.stop != null) o.stopSequences = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (req.seed != null) o.seed = req.seed;
  if (req.presence_penalty != null) o.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) o.frequencyPenalty = req.frequency_penalty;
  if (req.user != null) o.user = req.user;
  const rf = req.response_format;
  if (rf?.type === "json_object") o.responseFormat = { type: "json" };
  if (rf?.type === "json_schema") {
    o.responseFormat = { type: "json", name: rf.json_schema.name, ...(rf.json_schema.schema && { schema: rf.json_schema.schema }) };
  }
  if (req.tools?.length) {
    o.tools = req.tools.map((t) => ({
      type: "function",
      name: t.function.name,
      ...(t.function.description && { description: t.function.description }),
      inputSchema: t.function.parameters ?? { type: "object", properties: {} },
    }));
  }
  const tc = req.tool_choice;
  if (tc) o.toolChoice = typeof tc === "string" ? tc : { type: "tool", toolName: tc.function.name };
  return o;
}
