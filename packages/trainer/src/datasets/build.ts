import { seededRandom } from "@benih/gguf";
import { loadCountryFacts, type CountryFacts, type Lang } from "./facts.ts";
import { answerEnd, factTemplates, identity, mathTemplates, unitWord, type FactKind, type TemplateSet } from "./templates.ts";

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

/** Builds a market's dataset from the fact sources and templates; the same seed gives the same dataset. */
export function buildDataset(market: Market, seed = 1, facts: CountryFacts[] = loadCountryFacts()): Dataset {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const ds: Dataset = { name: market, train: [], validation: [], eval: [] };
  const fill = (t: string, vars: Record<string, string | number>) => t.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k]));

  /** Training phrasings go to train (a few to validation); one held-out phrasing goes to eval. */
  const addAll = (lang: Lang, kind: string, set: TemplateSet, vars: Record<string, string | number>, answer: string) => {
    set.train.forEach((t, i) => {
      const ex = { lang, kind, question: fill(t, vars), answer, template: `${lang}/${kind}/train/${i}` };
      (rnd() < VALIDATION_SHARE ? ds.validation : ds.train).push(ex);
    });
    const h = Math.floor(rnd() * set.heldOut.length);
    ds.eval.push({ lang, kind, question: fill(set.heldOut[h]!, vars), answer, template: `${lang}/${kind}/heldOut/${h}` });
  };

  for (const lang of marketLanguages[market]) {
    const end = answerEnd[lang];
    for (const f of facts) {
      const country = f.name[lang];
      if (!country) continue;
      for (const kind of ["capital", "currency", "continent", "language"] as FactKind[]) {
        const value = f[kind][lang];
        if (value) addAll(lang, kind, factTemplates[lang][kind], { x: country }, value + end);
      }
    }
    const m = mathTemplates[lang];
    for (let a = 1; a <= 12; a++) for (let b = 1; b <= 12; b++) addAll(lang, "multiply", sample(m.multiply, 2, pick), { a, b }, `${a * b}${end}`);
    for (let i = 0; i < 400; i++) {
      const a = Math.floor(rnd() * 100);
      const b = Math.floor(rnd() * 100);
      addAll(lang, "add", sample(m.add, 1, pick), { a, b }, `${a + b}${end}`);
    }
    for (let a = 1; a <= 100; a++) addAll(lang, "kilometers", sample(m.kilometers, 1, pick), { a }, `${a * 1000}${unitWord[lang]}${end}`);
    const who = identity[lang];
    for (let r = 0; r < IDENTITY_REPEATS; r++) {
      who.train.forEach((q, i) => ds.train.push({ lang, kind: "identity", question: q, answer: who.answer, template: `${lang}/identity/train/${i}` }));
    }
    who.heldOut.forEach((q, i) => ds.eval.push({ lang, kind: "identity", question: q, answer: who.answer, template: `${lang}/identity/heldOut/${i}` }));
  }
  shuffle(ds.train, rnd);
  return ds;
}

/** A template set narrowed to `n` random training phrasings (all held-out phrasings kept). */
function sample(set: TemplateSet, n: number, pick: <T>(xs: readonly T[]) => T): TemplateSet {
  const train = new Set<string>();
  while (train.size < Math.min(n, set.train.length)) train.add(pick(set.train));
  return { train: [...train], heldOut: set.heldOut };
}

function shuffle<T>(xs: T[], rnd: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
}
