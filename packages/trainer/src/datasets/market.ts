import type { Dataset, Market } from "./build.ts";
import { addSkills, type SkillSizes } from "./base.ts";
import { CALCULATOR } from "./calculator.ts";
import { loadCountryFacts, type CountryFacts } from "./facts.ts";
import { factSentences } from "./fact-sentences.ts";
import { fill, Splits } from "./splits.ts";
import { answerEnd, factTemplates, trainPhrasings, type FactKind } from "./templates.ts";

/**
 * Training phrasings drawn per fact, from the 170–240 its kind has: every phrasing is seen, each fact many ways.
 * The first listed question ("What is the capital of {x}?") is always among them.
 */
const PHRASINGS_PER_FACT = 40;
/** Fact sentences per country ("Japan's capital is Tokyo."), asked for with "Tell me about Japan." and the like. */
const SENTENCES_PER_COUNTRY = 6;
const TOOLS_SHARE = 0.25;
const KINDS: FactKind[] = ["capital", "currency", "continent", "language"];
/** The base's skills, trained again in the market's languages so that an adapter does not wear them away. */
const SKILLS: SkillSizes = {
  perOp: 1000,
  conversions: 1000,
  passages: 600,
  documents: 600,
  copying: 300,
  repeats: 2,
  fileTitles: 0.5,
  zhNumerals: 0.3,
  widerPhrasings: true,
};

/**
 * A market's dataset: facts about countries in the market's languages, asked many ways (held-out phrasings to
 * eval), and plain sentences stating them, so a fact is not tied to the shape of a question; and a share of the
 * base's skills (the calculator, passages, who the assistant is) in the same languages.
 */
export function buildMarketDataset(market: Market, seed = 1, facts: CountryFacts[] = loadCountryFacts()): Dataset {
  const ds = new Splits(market, seed);
  const langs = market === "cn" ? (["zh"] as const) : (["en", "id"] as const);
  for (const lang of langs) {
    const end = answerEnd[lang];
    const phrasings = Object.fromEntries(KINDS.map((k) => [k, trainPhrasings(lang, k)])) as Record<FactKind, string[]>;
    for (const f of facts) {
      const x = f.name[lang];
      if (!x) continue;
      for (const kind of KINDS) {
        const value = f[kind][lang];
        if (!value) continue;
        ds.add({
          lang,
          kind,
          train: phrasings[kind].map((t) => fill(t, { x })),
          heldOut: factTemplates[lang][kind].heldOut.map((t) => fill(t, { x })),
          // Some asked with the calculator offered, as a request with tools is: the answer is the same.
          make: () => ({ answer: value + end, ...(ds.rnd() < TOOLS_SHARE && { tools: [CALCULATOR] }) }),
          use: PHRASINGS_PER_FACT,
        });
      }
      const s = factSentences(lang, f);
      for (const i of ds.choose(s.length, SENTENCES_PER_COUNTRY, true)) {
        ds.train.push({
          lang,
          kind: "fact",
          question: s[i]!.question,
          answer: s[i]!.answer,
          template: `${lang}/fact/train/${s[i]!.template}`,
        });
      }
    }
    addSkills(ds, lang, SKILLS);
  }
  return ds.done();
}
