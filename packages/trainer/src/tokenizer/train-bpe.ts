import { pretokenize } from "./pretokenize.ts";
import { fromByteChars, toByteChars } from "./byte-level.ts";

/**
 * Whether a merge may make `token`: never one holding a digit (numbers stay one token per digit, so "3692" is the
 * same four tokens after a space, a quote or a letter, and a model copies numbers digit by digit), and outside
 * ASCII never more than one character (a Chinese name is the same tokens whatever character comes before it;
 * the gpt-2 pre-tokenizer keeps a run of Chinese as one word, so merges would otherwise cross names). llama.cpp
 * applies whatever merges the vocabulary lists, so this needs no pre-tokenizer of its own.
 */
export function mergeable(token: string): boolean {
  const bytes = fromByteChars(token);
  if (bytes.some((b) => b >= 0x30 && b <= 0x39)) return false;
  if (bytes.every((b) => b < 0x80)) return true;
  // A (part of a) single UTF-8 character: one lead byte, first, then continuation bytes only.
  return bytes[0]! >= 0xc0 && bytes.slice(1).every((b) => b >= 0x80 && b < 0xc0);
}

export interface TrainBpeOptions {
  /** Merges to learn at most; fewer when no pair occurs at least `minFrequency` times. */
  merges: number;
  minFrequency?: number;
}

/**
 * Learns byte-level BPE merges from texts: count words, then repeatedly merge the most frequent adjacent pair that
 * is `mergeable`, keeping pair counts up to date incrementally. Ties go to the lexicographically smaller pair, so the same texts
 * always give the same merges.
 */
export function trainBpe(texts: Iterable<string>, o: TrainBpeOptions): string[] {
  const minFrequency = o.minFrequency ?? 2;
  const wordCounts = new Map<string, number>();
  for (const text of texts) for (const w of pretokenize(text)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);

  const words = [...wordCounts].map(([w, count]) => ({ symbols: toByteChars(w), count }));
  const pairCounts = new Map<string, number>();
  /** Which words contain a pair, so a merge only revisits those. */
  const pairWords = new Map<string, Set<number>>();
  const key = (a: string, b: string) => `${a} ${b}`;
  const addPairs = (wi: number, sign: 1 | -1) => {
    const { symbols, count } = words[wi]!;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const k = key(symbols[i]!, symbols[i + 1]!);
      const c = (pairCounts.get(k) ?? 0) + sign * count;
      if (c > 0) pairCounts.set(k, c);
      else pairCounts.delete(k);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(wi);
      }
    }
  };
  for (let i = 0; i < words.length; i++) addPairs(i, 1);

  const verdicts = new Map<string, boolean>();
  const allowed = (k: string) => {
    let v = verdicts.get(k);
    if (v === undefined) verdicts.set(k, (v = mergeable(k.replace(" ", ""))));
    return v;
  };
  const merges: string[] = [];
  while (merges.length < o.merges) {
    let best: string | undefined;
    let bestCount = minFrequency - 1;
    for (const [k, c] of pairCounts) {
      if (!allowed(k)) continue;
      if (c > bestCount || (c === bestCount && best !== undefined && c >= minFrequency && k < best)) {
        best = k;
        bestCount = c;
      }
    }
    if (best === undefined) break;
    merges.push(best);
    const [a, b] = best.split(" ") as [string, string];
    const merged = a + b;
    for (const wi of pairWords.get(best) ?? []) {
      const w = words[wi]!;
      addPairs(wi, -1);
      const out: string[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (i + 1 < w.symbols.length && w.symbols[i] === a && w.symbols[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(w.symbols[i]!);
      }
      w.symbols = out;
      addPairs(wi, 1);
    }
    pairWords.delete(best);
    pairCounts.delete(best);
  }
  return merges;
}
