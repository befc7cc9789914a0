import type { Citation } from "@benih/contracts";
import type { FastifyRequest } from "fastify";
import type { ToolCall } from "../model-client.ts";
import type { Tools } from "../respond.ts";
import type { SkillServices, SkillTool } from "./skill.ts";

/**
 * Skills as tools a model calls itself: a search's passages are numbered on from the previous call's, so the
 * answer's [n] marks and the kept citations agree; a pure tool's text is handed back as it is.
 */
export function skillTools(offered: readonly SkillTool[], request: FastifyRequest, services: SkillServices): Tools | undefined {
  if (!offered.length) return undefined;
  const citations: Citation[] = [];
  return {
    definitions: offered.map((t) => t.definition),
    async run(call: ToolCall) {
      const tool = offered.find((t) => t.definition.function.name === call.name);
      let args: unknown;
      try {
        args = JSON.parse(call.arguments || "{}");
      } catch {
        return `error: the arguments are not JSON: ${call.arguments}`;
      }
      if (!tool) return `error: there is no tool ${call.name}`;
      if (!args || typeof args !== "object" || Array.isArray(args)) return "error: the arguments must be a JSON object";
      if ("run" in tool) return tool.run(args as Record<string, unknown>);
      const q = String((args as { query?: unknown }).query ?? "");
      if (!q.trim()) return "error: say what to look for in query";
      const hits = await tool.search(request, services, q).catch((err: Error) => err);
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
