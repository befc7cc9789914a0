import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** The most characters of one tool result a model reads; past it the result is cut, and says so. */
export const MAX_RESULT_CHARS = 20_000;

type Block = CallToolResult["content"][number];

const bytesOf = (base64: string) => Math.floor((base64.replace(/=+$/, "").length * 3) / 4);

/** One content block as text: media as data URLs while they fit in what is left of the result, else described. */
function blockText(b: Block, room: number): string {
  switch (b.type) {
    case "text":
      return b.text;
    case "image":
    case "audio": {
      const url = `data:${b.mimeType};base64,${b.data}`;
      return url.length <= room ? `[${b.type} ${url}]` : `[${b.type} ${b.mimeType}, ${bytesOf(b.data)} bytes: too large to include]`;
    }
    case "resource_link":
      return `[resource link: ${b.name} ${b.uri}${b.mimeType ? ` (${b.mimeType})` : ""}]${b.description ? ` ${b.description}` : ""}`;
    case "resource": {
      const r = b.resource;
      if ("text" in r) return `[resource ${r.uri}]\n${r.text}`;
      return `[resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ""}, ${bytesOf(r.blob)} bytes of data]`;
    }
  }
}

/**
 * A tool's result as the text its caller's model reads: its content blocks in order (its structured content when
 * it has none), at most `limit` characters, and whether the tool said it failed.
 */
export function resultText(result: CallToolResult, limit = MAX_RESULT_CHARS): { text: string; isError: boolean } {
  const parts: string[] = [];
  let used = 0;
  for (const block of result.content) {
    const text = blockText(block, limit - used);
    parts.push(text);
    used += text.length + 2;
  }
  if (!result.content.length && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  const whole = parts.join("\n\n");
  const text =
    whole.length > limit
      ? `${whole.slice(0, limit)}\n[cut: the result was ${whole.length.toLocaleString("en")} characters; the first ${limit.toLocaleString("en")} are shown]`
      : whole;
  return { text, isError: result.isError === true };
}
