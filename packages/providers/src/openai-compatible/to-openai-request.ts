import type { CallOptions, CallWarning, Message } from "@benih/spec";
import type { Quirks } from "./settings.ts";

type OpenAIMessage = Record<string, unknown>;

export function toOpenAIMessages(prompt: Message[]): OpenAIMessage[] {
  return prompt.flatMap<OpenAIMessage>((m) => {
    switch (m.role) {
      case "system":
        return { role: "system", content: m.content };
      case "user":
        // Plain string when the message is text only: several compatible servers accept nothing else.
        if (m.content.every((p) => p.type === "text")) {
          return { role: "user", content: m.content.map((p) => p.text).join("") };
        }
        return {
          role: "user",
          content: m.content.map((p) =>
            p.type === "text"
              ? { type: "text", text: p.text }
              : { type: "image_url", image_url: { url: p.url, ...(p.detail && { detail: p.detail }) } },
          ),
        };
      case "assistant": {
        const text = m.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
        const calls = m.content.flatMap((p) =>
          p.type === "tool-call" ? [{ id: p.toolCallId, type: "function", function: { name: p.toolName, arguments: p.input } }] : [],
        );
        return { role: "assistant", content: calls.length && !text ? null : text, ...(calls.length && { tool_calls: calls }) };
      }
      case "tool":
        // One OpenAI message per result; the spec groups them.
        return m.content.map((r) => ({ role: "tool", tool_call_id: r.toolCallId, content: r.output }));
      default:
        // Unreachable: the cases above cover every role the type admits.
        throw new Error(`unknown message role: ${(m as { role: string }).role}`);
    }
  });
}

export function toOpenAIRequest(
  modelId: string,
  o: CallOptions,
  quirks: Quirks,
  stream: boolean,
): { body: Record<string, unknown>; warnings: CallWarning[] } {
  const warnings: CallWarning[] = [];
  const body: Record<string, unknown> = { model: modelId, messages: toOpenAIMessages(o.prompt) };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) body[key] = value;
  };
  set("temperature", o.temperature);
  set("top_p", o.topP);
  set(quirks.maxTokensField, o.maxOutputTokens);
  if (o.stopSequences?.length) body.stop = o.stopSequences;
  if (o.seed !== undefined) {
    if (quirks.seed) body.seed = o.seed;
    else warnings.push({ type: "unsupported-setting", setting: "seed", message: "this provider ignores seed" });
  }
  if (o.presencePenalty !== undefined || o.frequencyPenalty !== undefined) {
    if (quirks.penalties) {
      set("presence_penalty", o.presencePenalty);
      set("frequency_penalty", o.frequencyPenalty);
    } else warnings.push({ type: "unsupported-setting", setting: "penalties", message: "this provider ignores penalties" });
  }
  if (o.responseFormat?.type === "json") {
    body.response_format = o.responseFormat.schema
      ? { type: "json_schema", json_schema: { name: o.responseFormat.name ?? "response", schema: o.responseFormat.schema } }
      : { type: "json_object" };
  }
  set("user", o.user);
  if (o.tools?.length) {
    body.tools = o.tools.map((t) => ({
      type: "function",
      function: { name: t.name, ...(t.description && { description: t.description }), parameters: t.inputSchema },
    }));
  }
  if (o.toolChoice) {
    body.tool_choice = typeof o.toolChoice === "string" ? o.toolChoice : { type: "function", function: { name: o.toolChoice.toolName } };
  }
  if (stream) {
    body.stream = true;
    if (quirks.streamUsage) body.stream_options = { include_usage: true };
  }
  return { body, warnings };
}
