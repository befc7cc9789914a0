import { terms } from "../knowledge/terms.ts";

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_RUNS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

/**
 * The words a memory or a message is matched by: the knowledge search's words (Intl.Segmenter, so Chinese is split
 * by its dictionary), and for Chinese, Japanese and Korean also each run's character pairs, so "公制单位" and
 * "公制的单位" still share words where the dictionary splits them differently.
 */
export function memoryTerms(text: string): string[] {
  const words = terms(text);
  const out = words.filter((w) => !CJK.test(w));
  for (const run of text.normalize("NFKC").match(CJK_RUNS) ?? []) {
    if (run.length === 1) out.push(run);
    for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
  }
  for (const w of words) if (CJK.test(w) && w.length > 2) out.push(w);
  // Latin words of one or two letters ("I", "my", "is") say little of what a memory is about.
  const long = out.filter((w) => CJK.test(w) || w.length > 2);
  return long.length ? long : out;
}

const K1 = 1.2;
const B = 0.75;

/**
 * Okapi BM25 of each document against the query, over these documents alone (a person's memories), with the
 * idf that stays positive however common a word is. Returns the scores in the documents' order; 0 shares nothing.
 */
export function bm25(query: string, documents: readonly string[]): number[] {
  const docs = documents.map(memoryTerms);
  const avg = docs.reduce((n, d) => n + d.length, 0) / Math.max(1, docs.length) || 1;
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const q = new Set(memoryTerms(query));
  return docs.map((d) => {
    const tf = new Map<string, number>();
    for (const w of d) tf.set(w, (tf.get(w) ?? 0) + 1);
    let score = 0;
    for (const w of q) {
      const f = tf.get(w);
      if (!f) continue;
      const n = df.get(w)!;
      const idf = Math.log(1 + (docs.length - n + 0.5) / (n + 0.5));
      score += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * d.length) / avg));
    }
    return score;
  });
}

/** How many of the newest memories go with those that match, when fewer than this match. */
export const RECENT_MEMORIES = 3;

/**
 * A person's memories (newest first) in the order they are offered to the model for `message`: those sharing
 * words with it, best first, then, when fewer than RECENT_MEMORIES matched, the newest of the rest up to that many.
 */
export function rankMemories<M extends { content: string }>(message: string, memories: readonly M[]): M[] {
  const scores = bm25(
    message,
    memories.map((m) => m.content),
  );
  const matched = memories
    .map((m, i) => ({ m, score: scores[i]!, i }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((x) => x.m);
  const recent = memories.filter((m) => !matched.includes(m)).slice(0, Math.max(0, RECENT_MEMORIES - matched.length));
  return [...matched, ...recent];
}

/**
 * The memory a "forget that …" means: of those sharing at least two thirds of the request's words and two thirds
 * of their own with it, the best match (so "forget that I like tea" does not take "I like coffee"); undefined when
 * none does.
 */
export function closestMemory<M extends { content: string }>(fact: string, memories: readonly M[]): M | undefined {
  const wanted = new Set(memoryTerms(fact));
  if (!wanted.size) return undefined;
  const scores = bm25(
    fact,
    memories.map((m) => m.content),
  );
  let best: M | undefined;
  let bestScore = 0;
  memories.forEach((m, i) => {
    const has = new Set(memoryTerms(m.content));
    const shared = [...wanted].filter((w) => has.has(w)).length;
    const close = shared * 3 >= wanted.size * 2 && shared * 3 >= has.size * 2;
    if (close && scores[i]! > bestScore) {
      best = m;
      bestScore = scores[i]!;
    }
  });
  return best;
}
