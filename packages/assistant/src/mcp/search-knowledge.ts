import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { ownerOf } from "../http.ts";
import { searchPassages } from "../knowledge/sources.ts";
import type { SkillServices } from "../skills/skill.ts";
import { mcpTool } from "./tool.ts";

const input = z.strictObject({
  query: z.string().trim().min(1, "say what to look for").max(2000).describe("What to look for, in words the documents use"),
  limit: z.number().int().min(1).max(50).default(5).describe("Passages to return at most"),
});

/**
 * `search_knowledge`: the caller's passages (their uploads and benih's docs, in the request's market's store) that
 * best match the query, each with its document's title, file and page, as the search skill gives them to a model.
 */
export const searchKnowledge = (request: FastifyRequest, knowledgeFor: SkillServices["knowledgeFor"]) =>
  mcpTool(
    request,
    {
      name: "search_knowledge",
      title: "Search my documents",
      description:
        "Full-text search of the documents the user uploaded to benih (and benih's own docs). Returns the best passages, each with its title, file and page: cite them by those.",
      input,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, limit }) => {
      const hits = await searchPassages(knowledgeFor(request), ownerOf(request), query, limit);
      if (!hits.length) return { content: [{ type: "text", text: `Nothing in your documents matches "${query}".` }] };
      return {
        content: hits.map((h, i) => ({
          type: "text" as const,
          text: `[${i + 1}] ${h.title} (${h.source}${h.page !== null ? `, page ${h.page}` : ""})\n${h.text}`,
        })),
      };
    },
  );
