import type { Lang } from "./facts.ts";
import { madeUpText } from "./made-up-words.ts";
import { fill, type Splits } from "./splits.ts";

const phrasings: Record<Lang, { train: string[]; heldOut: string[] }> = {
  en: {
    train: ["Repeat exactly: {x}", "Say this back word for word: {x}", "Copy this: {x}"],
    heldOut: ["Please write this out again: {x}"],
  },
  id: { train: ["Ulangi persis: {x}", "Tirukan kata demi kata: {x}", "Salin ini: {x}"], heldOut: ["Tolong tulis ulang ini: {x}"] },
  zh: { train: ["请原样重复：{x}", "照抄这句话：{x}", "复述一遍：{x}"], heldOut: ["请把这段话再写一遍：{x}"] },
};

/**
 * `count` requests per language to repeat a run of made-up words and numbers. Nothing in them can be remembered:
 * the answer is right only when copied from the question, which is what answering from passages needs (a small
 * model trained on passages alone learns their form and writes plausible values instead). One in four is asked
 * in the held-out phrasing only, to eval.
 */
export function addCopying(ds: Splits, lang: Lang, count: number): void {
  for (let i = 0; i < count; i++) {
    const x = madeUpText(ds.rnd, lang);
    ds.add({
      lang,
      kind: "copy",
      train: phrasings[lang].train.map((t) => fill(t, { x })),
      heldOut: phrasings[lang].heldOut.map((t) => fill(t, { x })),
      make: () => ({ answer: x }),
      ...(i % 4 === 0 ? { use: -1 } : { use: 1, heldOutUse: -1 }),
    });
  }
}
