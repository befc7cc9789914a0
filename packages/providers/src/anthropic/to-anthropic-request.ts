import type { CallOptions, CallWarning } from "@benih/spec";

type Block = Record<string, unknown>;

/** `data:image/png;base64,…` → a base64 source block; anything else is passed by URL. */
function imageBlock(url: string): Block {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m) return { type: "image", source: { type: "base64", media_type: m[1], data: m[2] } };
  return { type: "image", source: { type: "url", url } };
}

/**
 * The Messages API differs from OpenAI's where it matters: the system prompt is a top-level field, tool results
 * are user-message blocks, consecutive messages of one role must be merged, and max_tokens is required.
 */
export function toAnthropicRequest(modelId: string, o: CallOptions, stream: boolean, defaultMaxTokens: number) {
  const warnings: CallWarning[] = [];
  const system: string[] = [];
  const messages: Array<{ role: "user" | "assistant"; content: Block[] }> = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of o.prompt) {
    switch (m.role) {
      case "system":
        system.push(m.content);
        break;
      case "user":
        push(
          "user",
          m.content.map((p) => (p.type === "text" ? { type: "text", text: p.text } : imageBlock(p.url))),
        );
        break;
      case "assistant":
        push(
          "assistant",
          m.content.flatMap((p): Block[] => {
            if (p.type === "text") return p.text ? [{ type: "text", text: p.text }] : [];
            let input: unknown;
            try {
              input = JSON.parse(p.input || "{}");
            } catch {
              input = {};
              warnings.push({ type: "other", message: `tool call ${p.toolCallId} has arguments that are not JSON; sent as {}` });
            }
            return [{ type: "tool_use", id: p.toolCallId, name: p.toolName, input }];
          }),
        );
        break;
      case "tool":
        push(
          "user",
          m.content.map((r) => ({ type: "tool_result", tool_use_id: r.toolCallId, content: r.output })),
        );
        break;
    }
  }
  const body: Record<string, unknown> = {
    model: modelId,
    max_tokens: o.maxOutputTokens ?? defaultMaxTokens,
    messages,
  };
  if (system.length) body.system = system.join("\n\n");
  if (o.temperature !== undefined) body.temperature = Math.min(o.temperature, 1); // Anthropic's range is 0–1
  if (o.temperature !== undefined && o.temperature > 1) {
    warnings.push({ type: "unsupported-setting", setting: "temperature", message: "Anthropic accepts 0–1; clamped to 1" });
  }
  if (o.topP !== undefined) body.top_p = o.topP;
  if (o.stopSequences?.length) body.stop_sequences = o.stopSequences;
  if (o.seed !== undefined) warnings.push({ type: "unsupported-setting", setting: "seed", message: "Anthropic has no seed" });
  if (o.responseFormat?.type === "json") {
    warnings.push({ type: "unsupported-setting", setting: "response_format", message: "Anthropic has no JSON mode" });
  }
  if (o.user) body.metadata = { user_id: o.user };
  if (o.tools?.length && o.toolChoice !== "none") {
    body.tools = o.tools.map((t) => ({ name: t.name, ...(t.description && { description: t.description }), input_schema: t.inputSchema }));
    if (o.toolChoice === "required") body.tool_choice = { type: "any" };
    else if (typeof o.toolChoice === "object") body.tool_choice = { type: "tool", name: o.toolChoice.toolName };
  }
  if (stream) body.stream = true;
  return { body, warnings };
}
