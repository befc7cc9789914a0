import { addArithmetic, addConversions } from "./arithmetic.ts";
import type { Dataset } from "./build.ts";
import { CALCULATOR } from "./calculator.ts";
import type { Lang } from "./facts.ts";
import { conversational } from "./identity.ts";
import { addPassages } from "./passages.ts";
import { Splits } from "./splits.ts";

/** Problems per operation (sums, differences, products), conversions and passage questions, per language. */
const SIZES = { perOp: 2000, conversions: 1500, passages: 1500 };
/** How often each identity, greeting and thanks phrasing is repeated in training (once with the tools line). */
const REPEATS = 12;

/**
 * The shared base model's dataset, with no market's facts in it: arithmetic and unit conversions through the
 * calculator, answers from passages with their [n], who the assistant is, and replies to greetings and thanks,
 * in Chinese, English and Indonesian. Held-out phrasings (and, for problems and passages, unseen ones) go to eval.
 */
export function buildBaseDataset(seed = 1): Dataset {
  const ds = new Splits("base", seed);
  for (const lang of ["zh", "en", "id"] as Lang[]) {
    addArithmetic(ds, lang, SIZES.perOp);
    addConversions(ds, lang, SIZES.conversions);
    addPassages(ds, lang, SIZES.passages);
    for (const c of conversational[lang]) {
      for (let r = 0; r < REPEATS; r++)
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
  return ds.done();
}
