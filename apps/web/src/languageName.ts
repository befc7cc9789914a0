import type { Locale } from "./i18n.ts";

/** A language's name in the UI language ("ja" reads 日语 under 中文); undefined where the browser cannot name it. */
export function languageName(locale: Locale, code: string): string | undefined {
  try {
    return new Intl.DisplayNames([locale], { type: "language" }).of(code);
  } catch {
    return undefined;
  }
}
