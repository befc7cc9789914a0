/**
 * The language espeak-ng speaks a text in: Chinese when it is written in Han characters, else the market's own
 * language, but English for Latin text in a Chinese market (its people paste English too).
 */
export function speechLanguage(text: string, marketLocale: string | undefined): string {
  if (/\p{Script=Han}/u.test(text)) return "zh";
  const market = (marketLocale ?? "en").toLowerCase().split("-")[0]!;
  return market === "zh" ? "en" : market;
}
