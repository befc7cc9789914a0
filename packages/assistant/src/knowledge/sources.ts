import type { Citation } from "@benih/contracts";
import type { KbHit } from "@benih/store";

/**
 * The hits worth giving a model: those scoring at least half the best one. A question's common words
 * ("where", "do") also match unrelated passages weakly; handing those over invites citing them.
 */
export const relevant = (hits: readonly KbHit[]): KbHit[] => hits.filter((h) => h.score >= hits[0]!.score / 2);

export const citationsOf = (hits: readonly KbHit[]): Citation[] =>
  hits.map((h, i) => ({
    n: i + 1,
    documentId: h.documentId,
    title: h.title,
    source: h.source,
    page: h.page,
    excerpt: h.text.slice(0, 400),
  }));

/** The instructions that hand a model its sources and ask it to cite them as [1], [2]. */
export function sourcesPrompt(citations: readonly Citation[], hits: readonly KbHit[]): string {
  if (!citations.length)
    return "The user's knowledge base has nothing on this question. Say so briefly, then answer from what you know, and do not invent sources.";
  const sources = citations.map((c, i) => `[${c.n}] ${c.title}${c.page ? `, page ${c.page}` : ""}:\n${hits[i]!.text}`).join("\n\n");
  return `Answer the user's question from these sources of their knowledge base. After each claim taken from a source, cite it as [n]. If the sources do not answer the question, say so.\n\n${sources}`;
}
