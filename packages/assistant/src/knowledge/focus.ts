import { byteCount, cutToTokens, type TokenCount } from "../context-budget.ts";
import { terms } from "./terms.ts";

/** Sentences and lines of a passage, each with the separator that followed it. */
function sentences(text: string): Array<{ text: string; gap: string }> {
  const out: Array<{ text: string; gap: string }> = [];
  for (const m of text.matchAll(/[^\n.!?。！？]*(?:[.!?。！？]+|$)(\s*)/gu)) {
    const whole = m[0];
    if (!whole) continue;
    const gap = m[1] ?? "";
    const body = whole.slice(0, whole.length - gap.length);
    if (body.trim()) out.push({ text: body.trim(), gap });
    else if (out.length) out[out.length - 1]!.gap += whole;
  }
  return out;
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
  const all = sentences(text).map((s, i) => ({ ...s, i, score: terms(s.text).filter((t) => asked.has(t)).length }));
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
  // Chinese sentences run on without a space; others are joined by one (or by their line break, where adjacent).
  return chosen
    .map((s, k) => {
      const next = chosen[k + 1];
      if (!next) return s.text;
      const gap = next.i === s.i + 1 && s.gap.includes("\n") ? "\n" : /[。！？]$/.test(s.text) ? "" : " ";
      return s.text + gap;
    })
    .join("");
}
