import { webOptions } from "@benih/contracts";
import { GatewayError } from "@benih/gateway";
import type { KbHit } from "@benih/store";
import { searchTool } from "../search-tool.ts";
import type { Skill } from "../skill.ts";
import { webSources } from "./sources.ts";

/** What to set for the web skill, said where it is asked for without a provider. */
export const WEB_SEARCH_MISSING =
  "web search is not configured: set assistant.webSearch in benih.yaml ({ provider: searxng, baseURL: … } for your SearXNG, or brave, tavily or bing with an apiKey)";

/** Answers from a web search and the pages it finds (read through the SSRF guard), citing their links. */
export const webSkill: Skill = {
  id: "web",
  options: webOptions,
  unavailable: (services) => (services.webSearch ? undefined : WEB_SEARCH_MISSING),
  async answer({ services, question }) {
    let hits: KbHit[];
    try {
      hits = await webSources(services.webSearch!, question.content, services.fetchAllow ?? []);
    } catch (err) {
      const e = err as Error & { status?: number };
      throw new GatewayError(e.status === 429 ? 429 : 502, "upstream_error", `web search failed: ${e.message}`, "web_search_failed");
    }
    return { kind: "sourced", hits, meta: { skill: "web" } };
  },
  tool: {
    definition: searchTool("web_search", "Search the web and read the best pages."),
    search: (_request, services, query) => webSources(services.webSearch!, query, services.fetchAllow ?? []),
  },
};
