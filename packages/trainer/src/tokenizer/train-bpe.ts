import { pretokenize } from "./pretokenize.ts";
import { toByteChars } from "./byte-level.ts";

export interface TrainBpeOptions {
  /** Merges to learn at most; fewer when no pair occurs at least `minFrequency` times. */
  merges: number;
  minFrequency?: number;
}

/**
 * Learns byte-level BPE merges from texts: count words, then repeatedly merge the most frequent adjacent pair,
 * keeping pair counts up to date incrementally. Ties go to the lexicographically smaller pair, so the same texts
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

  const merges: string[] = [];
  while (merges.length < o.merges) {
    let best: string | undefined;
    let bestCount = minFrequency - 1;
    for (const [k, c] of pairCounts) {
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
