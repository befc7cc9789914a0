// The shapes the server sends the web app that @benih/contracts does not declare; the conversations' are there.
import type { ConversationMatch } from "@benih/contracts";

/** A conversation in the list; a search hit also says where it matched. */
export type Conversation = Omit<ConversationMatch, "match"> & { match?: string | null };

export interface MarketInfo {
  id: string;
  displayName: Record<string, string>;
  brand: { name: Record<string, string>; logo?: string; colors: { primary: string; accent?: string } };
  defaultLocale: string;
  locales: string[];
  defaults: Record<string, string>;
}

export interface KbDocument {
  id: string;
  title: string;
  source: string;
  pages: number | null;
  chunks: number;
}

/** GET /v1/settings: what this server has set up. Only the structured fields are shown; prose hints are the server's. */
export interface Settings {
  market: string | null;
  models: string[];
  providers: Array<{ name: string; configured: boolean; region?: string | null; env?: string; set?: string }>;
  skills: Record<string, { configured: boolean; provider?: string; slideshow?: boolean; set?: string }>;
  uploads: { maxMb: number; types: string[] };
}
