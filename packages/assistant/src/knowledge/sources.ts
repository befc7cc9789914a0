import type { Citation } from "@benih/contracts";
import type { KbHit, KnowledgeStore } from "@benih/store";
import { byteCount, cutToTokens, type TokenCount } from "../context-budget.ts";
import { focusOn } from "./focus.ts";
import { terms } from "./terms.ts";

/**
 * The hits worth giving a model: those scoring at least half the best one. A question's common words
 * ("where", "do") also match unrelated passages weakly; handing those over invites citing them. Hybrid hits were
 * kept to such ones before they were fused (their scores are ranks), so they are all kept.
 */
export const relevant = (hits: readonly KbHit[]): KbHit[] =>
  hits[0]?.fused ? [...hits] : hits.filter((h) => h.score >= hits[0]!.score / 2);

/** The relevant passages of `owner`'s documents and the shared ones for `query`: by its words, and by its meaning where the store is hybrid. */
export const searchPassages = async (kb: KnowledgeStore, owner: string | null, query: string, limit = 5): Promise<KbHit[]> =>
  relevant(await kb.search(owner, terms(query), limit, undefined, { text: query }));

export const citationsOf = (hits: readonly KbHit[]): Citation[] =>
  hits.map((h, i) => ({
    n: i + 1,
    documentId: h.documentId,
    title: h.title,
    source: h.source,
    page: h.page,
    excerpt: h.text.slice(0, 400),
  }));

/** The instructions when nothing was found: the model says so and answers from what it knows. */
export const NOTHING_FOUND =
  "The user's knowledge base has nothing on this question. Say so briefly, then answer from what you know, and do not invent sources.";

/** A passage shorter than this (in tokens) tells a model too little to answer from. */
const SHORTEST_USEFUL_PASSAGE = 100;

/**
 * As many of the best hits as fit, with the sources prompt, in `budget` tokens: fewer hits first, then each cut to
 * an equal share, keeping its sentences nearest the question. None when not even one passage of a useful length
 * fits (a whole short one is useful too).
 */
export function fitSources(hits: readonly KbHit[], budget: number, question: string, count: TokenCount = byteCount): KbHit[] {
  for (let k = hits.length; k > 0; k--) {
    const some = hits.slice(0, k);
    const frame = count(
      sourcesPrompt(
        citationsOf(some),
        some.map((h) => ({ ...h, text: "" })),
      ),
    );
    const share = Math.floor((budget - frame) / k);
    if (some.every((h) => count(h.text) <= share)) return some;
    if (share >= SHORTEST_USEFUL_PASSAGE) return some.map((h) => ({ ...h, text: focusOn(h.text, question, share, count) }));
  }
  return [];
}

/** Characters of one passage an extracted answer quotes. */
const QUOTED_CHARS = 600;
/** Characters of the sentences an extracted answer quotes from a passage that shares words with the question. */
const QUOTED_MATCHING_CHARS = 300;
const chars: TokenCount = (text) => text.length;

/**
 * An answer without the model: the best passages quoted as Markdown block quotes, each followed by its [n]: the
 * sentences that share the question's words (the answer, most often), or where none does the passage's start. Only
 * quotes and marks, in no language of its own (clients add a lead-in from the answer's notice).
 */
export function extractedAnswer(hits: readonly KbHit[], question: string): { content: string; citations: Citation[] } {
  const quoted = hits.slice(0, 3);
  const citations = citationsOf(quoted);
  const content = quoted
    .map((h, i) => {
      const text = h.text.trim();
      const quote = focusOn(text, question, QUOTED_MATCHING_CHARS, chars, true) || cutToTokens(text, QUOTED_CHARS, chars);
      // Each line quoted, so the passage's paragraphs (and its lines within one) stay as they were.
      const lines = quote.split("\n").map((l) => (l.trim() ? `> ${l.trimEnd()}` : ">"));
      return `${lines.join("\n")} [${citations[i]!.n}]`;
    })
    .join("\n\n");
  return { content, citations };
}

/**
 * Whether an answer is made of its sources' sentences: it cites at least one, and the claim before each [n] (back to
 * the previous sentence's end) stands word for word in passage n. A model that follows no other instructions is
 * trained to answer so; one that wrote another value than the passage's fails it.
 */
export function quotesSources(answer: string, hits: readonly Pick<KbHit, "text">[]): boolean {
  const cited = [...answer.matchAll(/([^.!?。！？\]]*?)\s*\[(\d+)\]/gu)];
  return (
    cited.length > 0 &&
    cited.every(([, claim, n]) => {
      const quoted = claim!.trim();
      return quoted !== "" && !!hits[Number(n) - 1]?.text.includes(quoted);
    })
  );
}

/** The instructions that hand a model its sources and ask it to cite them as [1], [2]. */
export function sourcesPrompt(citations: readonly Citation[], hits: readonly KbHit[]): string {
  if (!citations.length) return NOTHING_FOUND;
  const sources = citations.map((c, i) => `[${c.n}] ${c.title}${c.page ? `, page ${c.page}` : ""}:\n${hits[i]!.text}`).join("\n\n");
  return `Answer the user's question from these sources of their knowledge base. After each claim taken from a source, cite it as [n]. If the sources do not answer the question, say so.\n\n${sources}`;
}
