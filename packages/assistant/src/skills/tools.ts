import type { Citation, ToolCallView } from "@benih/contracts";
import type { FastifyRequest } from "fastify";
import type { ToolCall } from "../model-client.ts";
import type { Tools } from "../respond.ts";
import type { SkillServices, SkillTool } from "./skill.ts";

/**
 * Skills as tools a model calls itself: a search's passages are numbered on from the previous call's, so the
 * answer's [n] marks and the kept citations agree; a pure tool's text is handed back as it is. Each call is kept
 * in the answer's meta (`toolCalls`, server "benih"), so the person sees what was worked out and how.
 */
export function skillTools(offered: readonly SkillTool[], request: FastifyRequest, services: SkillServices): Tools | undefined {
  if (!offered.length) return undefined;
  const citations: Citation[] = [];
  const calls: ToolCallView[] = [];
  const run = async (call: ToolCall): Promise<string> => {
    const args = argumentsOf(call.arguments);
    const result = typeof args === "string" ? args : await runOne(call.name, args);
    const failed = result.startsWith("error: ");
    calls.push({
      id: call.id,
      server: "benih",
      tool: call.name,
      arguments: typeof args === "string" ? {} : args,
      status: failed ? "error" : "done",
      ...(failed ? { error: result.slice("error: ".length) } : { result }),
    });
    return result;
  };
  return {
    definitions: offered.map((t) => t.definition),
    run,
    meta: () => ({ ...(citations.length && { citations }), ...(calls.length && { toolCalls: calls.map((c) => ({ ...c })) }) }),
  };

  async function runOne(name: string, args: Record<string, unknown>): Promise<string> {
    const tool = offered.find((t) => t.definition.function.name === name);
    if (!tool) return `error: there is no tool ${name}`;
    if ("run" in tool) return tool.run(args);
    const q = String(args.query ?? "");
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
  }
}

/** A call's arguments as an object, or the error the model reads back. */
function argumentsOf(text: string): Record<string, unknown> | string {
  let args: unknown;
  try {
    args = JSON.parse(text || "{}");
  } catch {
    return `error: the arguments are not JSON: ${text}`;
  }
  return args && typeof args === "object" && !Array.isArray(args)
    ? (args as Record<string, unknown>)
    : "error: the arguments must be a JSON object";
}
