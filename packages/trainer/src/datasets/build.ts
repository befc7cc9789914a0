import { seededRandom } from "@benih/gguf";
import { loadCountryFacts, type CountryFacts, type Lang } from "./facts.ts";
import {
  answerEnd,
  factTemplates,
  identity,
  mathTemplates,
  trainPhrasings,
  unitWord,
  type FactKind,
  type TemplateSet,
} from "./templates.ts";

export interface Example {
  lang: Lang;
  kind: string;
  question: string;
  answer: string;
  /** Which template phrased the question, e.g. "en/capital/train/3". */
  template: string;
}

export interface Dataset {
  /** The market's name for built-in datasets, the folder's name for one read from JSON lines. */
  name: string;
  train: Example[];
  /** Held-out rows asked with training phrasings: for validation loss and perplexity. */
  validation: Example[];
  /** Every fact asked with a phrasing never used in training: for exact-match evals. */
  eval: Example[];
}

export type Market = "cn" | "global";
export const marketLanguages: Record<Market, Lang[]> = { cn: ["zh"], global: ["en", "id"] };

const VALIDATION_SHARE = 0.05;
const IDENTITY_REPEATS = 20;
/**
 * Training phrasings drawn per fact, from the 140–170 its kind has: every phrasing is seen, each fact many ways.
 * The first listed question ("What is the capital of {x}?") is always among them.
 */
const PHRASINGS_PER_FACT = 40;

/** Builds a market's dataset from the fact sources and templates; the same seed gives the same dataset. */
export function buildDataset(market: Market, seed = 1, facts: CountryFacts[] = loadCountryFacts()): Dataset {
  const rnd = seededRandom(seed);
  const ds: Dataset = { name: market, train: [], validation: [], eval: [] };
  const fill = (t: string, vars: Record<string, string | number>) => t.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k]));

  /** Training phrasings (`use` of them, all when 0) go to train, a few to validation; one held-out phrasing to eval. */
  const addAll = (lang: Lang, kind: string, set: TemplateSet, vars: Record<string, string | number>, answer: string, use = 0) => {
    for (const i of choose(set.train.length, use, rnd)) {
      const ex = { lang, kind, question: fill(set.train[i]!, vars), answer, template: `${lang}/${kind}/train/${i}` };
      (rnd() < VALIDATION_SHARE ? ds.validation : ds.train).push(ex);
    }
    const h = Math.floor(rnd() * set.heldOut.length);
    ds.eval.push({ lang, kind, question: fill(set.heldOut[h]!, vars), answer, template: `${lang}/${kind}/heldOut/${h}` });
  };

  for (const lang of marketLanguages[market]) {
    const end = answerEnd[lang];
    const kinds = ["capital", "currency", "continent", "language"] as FactKind[];
    const phrasings = Object.fromEntries(
      kinds.map((k) => [k, { train: trainPhrasings(lang, k), heldOut: factTemplates[lang][k].heldOut }]),
    ) as Record<FactKind, TemplateSet>;
    for (const f of facts) {
      const country = f.name[lang];
      if (!country) continue;
      for (const kind of kinds) {
        const value = f[kind][lang];
        if (value) addAll(lang, kind, phrasings[kind], { x: country }, value + end, PHRASINGS_PER_FACT);
      }
    }
    const m = mathTemplates[lang];
    for (let a = 1; a <= 12; a++) for (let b = 1; b <= 12; b++) addAll(lang, "multiply", m.multiply, { a, b }, `${a * b}${end}`, 2);
    // 400 distinct sums, so a validation row never repeats a training one.
    const pairs = new Set<number>();
    while (pairs.size < 400) pairs.add(Math.floor(rnd() * 10_000));
    for (const p of pairs) {
      const [a, b] = [Math.floor(p / 100), p % 100];
      addAll(lang, "add", m.add, { a, b }, `${a + b}${end}`, 1);
    }
    for (let a = 1; a <= 100; a++) addAll(lang, "kilometers", m.kilometers, { a }, `${a * 1000}${unitWord[lang]}${end}`, 1);
    const who = identity[lang];
    for (let r = 0; r < IDENTITY_REPEATS; r++) {
      who.train.forEach((q, i) => {
        ds.train.push({ lang, kind: "identity", question: q, answer: who.answer, template: `${lang}/identity/train/${i}` });
      });
    }
    who.heldOut.forEach((q, i) => {
      ds.eval.push({ lang, kind: "identity", question: q, answer: who.answer, template: `${lang}/identity/heldOut/${i}` });
    });
  }
  shuffle(ds.train, rnd);
  return ds;
}

/** Index 0 and `n - 1` other distinct random indices below `size`, ascending; all when `n` is 0 or ≥ `size`. */
function choose(size: number, n: number, rnd: () => number): number[] {
  if (!n || n >= size) return Array.from({ length: size }, (_, i) => i);
  const picked = new Set<number>([0]);
  while (picked.size < n) picked.add(Math.floor(rnd() * size));
  return [...picked].sort((a, b) => a - b);
}

function shuffle<T>(xs: T[], rnd: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
}
