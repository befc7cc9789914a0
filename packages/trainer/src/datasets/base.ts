import { addArithmetic, addConversions } from "./arithmetic.ts";
import type { Dataset } from "./build.ts";
import { CALCULATOR } from "./calculator.ts";
import type { Lang } from "./facts.ts";
import { conversational } from "./identity.ts";
import { addCopying } from "./copying.ts";
import { addDocuments, addPassages } from "./passages.ts";
import { Splits } from "./splits.ts";

/** Problems per operation (sums, differences, products), conversions and passage questions, per language. */
export interface SkillSizes {
  perOp: number;
  conversions: number;
  passages: number;
  /** Questions on chunks of uploaded documents holding many entities (see `addDocuments`). */
  documents: number;
  /** Requests to repeat made-up text, which teach copying from the prompt. */
  copying: number;
  /** How often each identity, greeting and thanks phrasing is repeated in training (a third with the tools line). */
  repeats: number;
  /** The share of passages' documents titled by a file's name, as uploads are. */
  fileTitles: number;
  /** The share of Chinese arithmetic asked in Chinese numerals (七乘八). */
  zhNumerals: number;
  /** Problems and conversions also asked in the wider set of phrasings (see `widerOps`). */
  widerPhrasings: boolean;
}
const BASE_SIZES: SkillSizes = {
  perOp: 2000,
  conversions: 1500,
  passages: 3000,
  documents: 3000,
  copying: 2000,
  repeats: 12,
  fileTitles: 0,
  zhNumerals: 0,
  widerPhrasings: false,
};

/**
 * The shared base model's dataset, with no market's facts in it: arithmetic and unit conversions through the
 * calculator, answers from passages with their [n], who the assistant is, and replies to greetings and thanks,
 * in Chinese, English and Indonesian. Held-out phrasings (and, for problems and passages, unseen ones) go to eval.
 */
export function buildBaseDataset(seed = 1): Dataset {
  const ds = new Splits("base", seed);
  for (const lang of ["zh", "en", "id"] as Lang[]) addSkills(ds, lang, BASE_SIZES);
  return ds.done();
}

/** The base's skills in one language: all of them in the base, a share in a market's dataset to keep them. */
export function addSkills(ds: Splits, lang: Lang, sizes: SkillSizes): void {
  addArithmetic(ds, lang, sizes.perOp, sizes.zhNumerals, sizes.widerPhrasings);
  addConversions(ds, lang, sizes.conversions, sizes.widerPhrasings);
  addPassages(ds, lang, sizes.passages, sizes.fileTitles);
  addDocuments(ds, lang, sizes.documents);
  addCopying(ds, lang, sizes.copying);
  for (const c of conversational[lang]) {
    for (let r = 0; r < sizes.repeats; r++)
      c.train.forEach((question, i) => {
        // Asked with the calculator offered too: a request with tools must not change who answers.
        const tools = r % 3 === 0 ? { tools: [CALCULATOR] } : {};
        ds.train.push({ lang, kind: c.kind, question, answer: c.answer, template: `${lang}/${c.kind}/train/${i}`, ...tools });
      });
    c.heldOut.forEach((question, i) => {
      ds.eval.push({ lang, kind: c.kind, question, answer: c.answer, template: `${lang}/${c.kind}/heldOut/${i}` });
    });
  }
}
