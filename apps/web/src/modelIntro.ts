import type { ModelView } from "@benih/contracts";
import { fillText, t, type Locale } from "./i18n.ts";
import { languageName } from "./languageName.ts";

/** A model's id without its market's suffix: "benih-tiny-cn" in market cn reads "benih-tiny". */
export const shortModelName = (id: string, market: string | undefined) =>
  market && id.endsWith(`-${market}`) ? id.slice(0, -market.length - 1) : id;

/** The questions a model answers well, in the UI language if it has them, else in the first language it speaks. */
export function modelExamples(m: ModelView | undefined, locale: Locale): string[] {
  const examples = m?.examples;
  if (!examples) return [];
  return examples[locale] ?? examples[m.languages?.[0] ?? ""] ?? Object.values(examples)[0] ?? [];
}

/**
 * What the empty chat says of the model: the languages it answers in, named in the UI language, and that its
 * examples follow when it has some.
 */
export function modelIntro(m: ModelView | undefined, locale: Locale, name: string): string {
  if (!m?.languages?.length) return t(locale, "introAsk");
  const languages = new Intl.ListFormat(locale, { type: "conjunction" }).format(m.languages.map((l) => languageName(locale, l) ?? l));
  const intro = fillText(t(locale, "introLanguages"), { model: name, languages });
  if (!modelExamples(m, locale).length) return intro;
  return `${intro}${locale === "zh" ? "" : " "}${t(locale, "introTry")}`;
}
