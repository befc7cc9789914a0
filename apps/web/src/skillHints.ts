import type { Settings } from "./api/types.ts";
import { t, type Locale, type TextKey } from "./i18n.ts";

const SETUP: Record<string, TextKey> = { web: "setupWeb", image: "setupImage", video: "setupVideo" };

/**
 * What to say about a skill in the user's language: what to set for one the server has not set up, or what a
 * working one does differently. The server's own hints are English prose for operators, so they are not shown.
 */
export function skillHint(locale: Locale, name: string, s: Settings["skills"][string] | undefined): string | undefined {
  if (!s) return undefined;
  if (s.configured) return s.slideshow ? t(locale, "videoSlideshow") : undefined;
  const setup = SETUP[name];
  return setup && `${t(locale, "toEnable")}: ${t(locale, setup)}`;
}
