import type { KbHit } from "@benih/store";
import { safeFetch } from "../../web/safe-fetch.ts";
import { webSearch, type WebSearchConfig } from "../../web/search.ts";

/**
 * The web skill's sources: the search's best results, each with the readable text of its page (fetched through
 * the SSRF guard; a page that cannot be fetched keeps its snippet), as passages the answer cites by number.
 */
export async function webSources(config: WebSearchConfig, question: string, allow: readonly string[]): Promise<KbHit[]> {
  const results = (await webSearch(config, question, 5)).slice(0, 3);
  return Promise.all(
    results.map(async (r, i) => {
      const page = await safeFetch(r.url, { allow, timeoutMs: 5000, maxBytes: 1024 * 1024 }).catch(() => undefined);
      const text = page?.text.trim() ? page.text.slice(0, 3000) : r.snippet;
      return { documentId: r.url, title: r.title, source: r.url, page: null, text, score: results.length - i };
    }),
  );
}
