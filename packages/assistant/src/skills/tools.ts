import type { KbHit } from "@benih/store";
import type { Citation } from "../knowledge/sources.ts";
import type { ToolCall, ToolDefinition } from "../model-client.ts";
import type { Tools } from "../respond.ts";

const query = { type: "object", properties: { query: { type: "string", description: "What to look for, in the user's words" } }, required: ["query"], additionalProperties: false };

const definitions: Record<"search" | "web", ToolDefinition> = {
  search: { type: "function", function: { name: "search_documents", description: "Search the user's documents and benih's docs. Returns numbered passages to cite as [n].", parameters: query } },
  web: { type: "function", function: { name: "web_search", description: "Search the web and read the best pages. Returns numbered passages to cite as [n].", parameters: query } },
};

/**
 * The search skills as tools a model calls itself: each call's passages are numbered on from the previous
 * call's, so the answer's [n] marks and the kept citations agree.
 */
export function skillTools(skills: { search?: (q: string) => Promise<KbHit[]>; web?: (q: string) => Promise<KbHit[]> }): Tools | undefined {
  const offered = (Object.keys(skills) as Array<"search" | "web">).filter((k) => skills[k]);
  if (!offered.length) return undefined;
  const citations: Citation[] = [];
  return {
    definitions: offered.map((k) => definitions[k]),
    async run(call: ToolCall) {
      const kind = offered.find((k) => definitions[k].function.name === call.name);
      let q: string;
      try {
        q = String((JSON.parse(call.arguments || "{}") as { query?: unknown }).query ?? "");
      } catch {
        return `error: the arguments are not JSON: ${call.arguments}`;
      }
      if (!kind) return `error: there is no tool ${call.name}`;
      if (!q.trim()) return "error: say what to look for in query";
      const hits = await skills[kind]!(q).catch((err: Error) => err);
      if (hits instanceof Error) return `error: ${hits.message}`;
      if (!hits.length) return "nothing found";
      return hits
        .map((h) => {
          const n = citations.length + 1;
          citations.push({ n, documentId: h.documentId, title: h.title, source: h.source, page: h.page, excerpt: h.text.slice(0, 400) });
          return `[${n}] ${h.title}${h.page ? `, page ${h.page}` : ""}:\n${h.text}`;
        })
        .join("\n\n");
    },
    meta: () => (citations.length ? { citations } : {}),
  };
}
