import { byteCount, cutToTokens, type TokenCount } from "../context-budget.ts";
import { terms } from "./terms.ts";

/**
 * A passage's sentences, each with its line: lines are split at a stop followed by a space (so 3.14, e.g. and
 * URLs stay whole) or after a Chinese stop; a line with no stop (a heading, a list item) is one sentence.
 */
function sentences(text: string): Array<{ text: string; line: number }> {
  return text
    .split("\n")
    .flatMap((l, line) => l.split(/(?<=[.!?])\s+|(?<=[。！？])/u).map((t) => ({ text: t.trim(), line })))
    .filter((x) => x.text);
}

/**
 * `text` cut to at most `tokens` tokens keeping the sentences that share most words with the question, in their
 * order: a passage cut from its start loses an answer that sits at its end. Sentences left out between two kept
 * ones are dropped without a mark; a passage none of whose sentences fits whole is cut from its start. With
 * `matchingOnly`, only sentences that share a word are kept, and "" is the answer when none does.
 */
export function focusOn(text: string, question: string, tokens: number, count: TokenCount = byteCount, matchingOnly = false): string {
  if (count(text) <= tokens && !matchingOnly) return text;
  const asked = new Set(terms(question));
  // Words shared, each once: a sentence repeating "the" is no nearer the question.
  const all = sentences(text).map((s, i) => ({ ...s, i, score: [...new Set(terms(s.text))].filter((t) => asked.has(t)).length }));
  const kept = new Set<number>();
  let used = 0;
  for (const s of [...all].sort((a, b) => b.score - a.score || a.i - b.i)) {
    if (matchingOnly && !s.score) break;
    const size = count(s.text) + 1;
    if (used + size > tokens) continue;
    kept.add(s.i);
    used += size;
  }
  if (!kept.size) return matchingOnly && !all.some((s) => s.score) ? "" : cutToTokens(text, tokens, count);
  const chosen = all.filter((s) => kept.has(s.i));
  // Chinese sentences run on without a space; others are joined by one, or by a line break between lines.
  const joined = chosen
    .map((s, k) => {
      const next = chosen[k + 1];
      if (!next) return s.text;
      return s.text + (next.line !== s.line ? "\n" : /[。！？]$/.test(s.text) ? "" : " ");
    })
    .join("");
  // Counts of parts need not add up to the count of the whole (a tokenizer merges across the joins).
  return count(joined) <= tokens ? joined : cutToTokens(joined, tokens, count);
}
