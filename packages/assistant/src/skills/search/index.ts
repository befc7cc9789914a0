import { searchOptions } from "@benih/contracts";
import type { KbHit } from "@benih/store";
import { searchPassages } from "../../knowledge/sources.ts";
import { terms } from "../../knowledge/terms.ts";
import { ownerOf } from "../../http.ts";
import { searchTool } from "../search-tool.ts";
import type { Skill } from "../skill.ts";

/**
 * Answers from the caller's knowledge base (their uploads and benih's docs), citing file and page. With documents
 * attached, from those only: their best passages for the question, or their opening when none match ("summarise
 * this" names nothing in them). A regenerated answer searches again: the documents may have changed.
 */
export const searchSkill: Skill = {
  id: "search",
  options: searchOptions,
  async answer({ request, services, question, meta }) {
    const kb = services.knowledgeFor(request);
    const who = ownerOf(request);
    let hits: KbHit[];
    if (meta.attachments?.length) {
      const ids = meta.attachments.map((a) => a.id);
      hits = await kb.search(who, terms(question.content), 5, ids);
      if (!hits.length) hits = await kb.opening(who, ids, 5);
    } else hits = await searchPassages(kb, who, question.content);
    return { kind: "sourced", hits, meta: { skill: "search" } };
  },
  tool: {
    definition: searchTool("search_documents", "Search the user's documents and benih's docs."),
    search: (request, services, query) => searchPassages(services.knowledgeFor(request), ownerOf(request), query),
  },
};
