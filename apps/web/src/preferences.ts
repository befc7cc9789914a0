import { isLocale, type Locale } from "./i18n.ts";

export type ThemeChoice = "light" | "dark" | "system";

/** A person's choices in one market: the UI language, the look, and what a new chat starts with. */
export interface Preferences {
  locale?: Locale;
  theme: ThemeChoice;
  /** The agent and the model a new chat starts with; absent: the market's own. */
  agent?: string;
  model?: string;
}

/**
 * Where preferences are kept. This browser for now; with accounts a store on the server takes its place behind the
 * same two calls.
 */
export interface PreferenceStore {
  load(market: string): Preferences;
  save(market: string, p: Preferences): void;
  /** The market this browser last used on this host: what a page that does not ask the server (/admin) goes by. */
  lastMarket(): string;
}

const THEMES: readonly string[] = ["light", "dark", "system"];
const key = (market: string) => `benih.prefs.${market}`;

function read(market: string): Partial<Preferences> {
  try {
    const p = JSON.parse(localStorage.getItem(key(market)) ?? "{}") as Record<string, unknown>;
    return {
      ...(typeof p.locale === "string" && isLocale(p.locale) && { locale: p.locale }),
      ...(typeof p.theme === "string" && THEMES.includes(p.theme) && { theme: p.theme as ThemeChoice }),
      ...(typeof p.agent === "string" && { agent: p.agent }),
      ...(typeof p.model === "string" && { model: p.model }),
    };
  } catch {
    return {};
  }
}

/** This browser's localStorage; choices made before preferences existed (language, theme) are carried over. */
export const browserPreferences: PreferenceStore = {
  load(market) {
    const legacyLocale = localStorage.getItem(`benih.locale.${market}`);
    const legacyTheme = localStorage.getItem("benih.theme");
    return {
      theme: legacyTheme === "light" || legacyTheme === "dark" ? legacyTheme : "system",
      ...(legacyLocale && isLocale(legacyLocale) && { locale: legacyLocale }),
      ...read(market),
    };
  },
  save(market, p) {
    localStorage.setItem(key(market), JSON.stringify(p));
    localStorage.setItem("benih.market", market);
  },
  lastMarket: () => localStorage.getItem("benih.market") ?? "none",
};

export const preferences: PreferenceStore = browserPreferences;
