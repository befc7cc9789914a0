import type { QuotaLimits } from "@benih/contracts";

/** A locale's text: `{ en: "…", zh: "…" }`; the market's default locale is the fallback. */
export type Localized = Record<string, string>;

export interface BlockedTerm {
  term: string;
  /** Why it is blocked, e.g. "violence", "politics", "spam": written to the audit table. */
  category: string;
}

/** Where a market's own data lives: its own SQLite file, or its own PostgreSQL database (optionally a schema). */
export type MarketStore = { sqlite: string } | { postgres: string; schema?: string };

/**
 * One product served from this codebase (a Doubao-like `cn`, a Cici-like `global`): who it is for, which models
 * it may use, where its data lives and which rules apply.
 */
export interface MarketProfile {
  id: string;
  /** Where the market is served from, e.g. "cn" or "global"; providers outside it are warned about. */
  region: string;
  displayName: Localized;
  brand: { name: Localized; logo?: string; colors: { primary: string; accent?: string } };
  defaultLocale: string;
  locales: string[];
  /** Host names (no port) that resolve to this market. */
  hosts: string[];
  /**
   * Targets this market's requests may reach, as `provider/model` globs: "openai/*" allows a provider,
   * "local/benih-tiny-cn" one model. Nothing else is ever called, also not as a fallback.
   */
  allow: string[];
  /** The model each skill uses by default (chat, translate, …). */
  defaults: Record<string, string>;
  /** Web search providers this market may use. */
  search: string[];
  policy: {
    blocked: BlockedTerm[];
    refusal: Localized;
    /** A moderation endpoint (OpenAI's /v1/moderations shape) asked about inputs, as `provider/model`. */
    moderation?: string;
  };
  /** What each key of the market may use; see the server-wide `quota` it overrides. */
  quota?: QuotaLimits;
  /** Request-log and audit rows older than this are deleted. */
  retentionDays: number;
  store: MarketStore;
}

/** A localized text in `locale`, else the market's default locale, else any. */
export function localized(text: Localized, locale: string, fallback: string): string {
  return text[locale] ?? text[fallback] ?? Object.values(text)[0] ?? "";
}
