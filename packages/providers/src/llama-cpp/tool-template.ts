import type { FunctionTool, Message } from "@benih/spec";
import { Template } from "@huggingface/jinja";
import type { LlamaText, SpecialTokensText } from "node-llama-cpp";

/**
 * The model's chat template, compiled, when it renders tool calls in the `<tool_call>` tags benih parses (benih's
 * own ChatML template and Hermes-style ones do); undefined otherwise, or when it cannot be compiled.
 */
export function toolTemplateOf(chatTemplate: unknown): Template | undefined {
  if (typeof chatTemplate !== "string" || !chatTemplate.includes("<tool_call>")) return undefined;
  try {
    return new Template(chatTemplate);
  } catch {
    return undefined;
  }
}

/** Whether a conversation holds tool calls or results: a template that renders them is then used for it. */
export const hasToolTraffic = (prompt: readonly Message[]): boolean =>
  prompt.some((m) => m.role === "tool" || (m.role === "assistant" && m.content.some((p) => p.type === "tool-call")));

/** Arguments as compact JSON, as benih's models are trained to read and write them; left as sent when not JSON. */
function compactJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

// Private-use characters around a number: what the template is given in place of each text the request sent.
const MARK_PATTERN = /\uE000(\d+)\uE001/g;

export interface TemplateTools {
  LlamaText: typeof LlamaText;
  SpecialTokensText: typeof SpecialTokensText;
}

/**
 * The prompt as the model's chat template renders it, in OpenAI's shape (messages with `tool_calls`, `tool`
 * messages, `tools`), ending with the opening of the model's turn. Only what the template itself wrote may spell
 * special tokens: every text of the request goes into the template as a mark and comes back as plain text, so a
 * message that contains "<|im_end|>" cannot end its turn.
 */
export function renderWithTemplate(
  template: Template,
  prompt: readonly Message[],
  tools: readonly FunctionTool[],
  special: { bos: string | null; eos: string | null },
  lib: TemplateTools,
): LlamaText {
  const texts: string[] = [];
  // An empty text is given as it is: a template's `if content` must see it empty.
  const mark = (text: string) => (text ? `\uE000${texts.push(text) - 1}\uE001` : "");
  // A tool's schema is the caller's text too (an MCP server's, a client's): every key and string in it is marked.
  const markAll = (v: unknown): unknown =>
    typeof v === "string"
      ? mark(v)
      : Array.isArray(v)
        ? v.map(markAll)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [mark(k), markAll(x)]))
          : v;
  const messages = prompt.flatMap((m): object[] => {
    switch (m.role) {
      case "system":
        return [{ role: "system", content: mark(m.content) }];
      case "user":
        return [{ role: "user", content: mark(m.content.map((p) => (p.type === "text" ? p.text : "")).join("")) }];
      case "assistant": {
        const calls = m.content.flatMap((p) =>
          p.type === "tool-call"
            ? [{ id: mark(p.toolCallId), type: "function", function: { name: mark(p.toolName), arguments: mark(compactJson(p.input)) } }]
            : [],
        );
        const text = mark(m.content.map((p) => (p.type === "text" ? p.text : "")).join(""));
        return [{ role: "assistant", content: text, ...(calls.length && { tool_calls: calls }) }];
      }
      default:
        return m.content.map((r) => ({ role: "tool", tool_call_id: mark(r.toolCallId), content: mark(r.output) }));
    }
  });
  const rendered = template.render({
    messages,
    ...(tools.length && {
      tools: tools.map((t) => ({
        type: "function",
        function: { name: mark(t.name), description: mark(t.description ?? ""), parameters: markAll(t.inputSchema) },
      })),
    }),
    add_generation_prompt: true,
    bos_token: special.bos ?? "",
    eos_token: special.eos ?? "",
  });
  const parts: Array<string | SpecialTokensText> = [];
  let at = 0;
  for (const m of rendered.matchAll(MARK_PATTERN)) {
    if (m.index > at) parts.push(new lib.SpecialTokensText(rendered.slice(at, m.index)));
    const text = texts[Number(m[1])] ?? "";
    // Inside a JSON string (a template's `tojson`), the text goes in escaped, as tojson would have written it.
    const quoted = rendered[m.index - 1] === '"' && rendered[m.index + m[0].length] === '"';
    parts.push(quoted ? JSON.stringify(text).slice(1, -1) : text);
    at = m.index + m[0].length;
  }
  if (at < rendered.length) parts.push(new lib.SpecialTokensText(rendered.slice(at)));
  return new lib.LlamaText(parts);
}
