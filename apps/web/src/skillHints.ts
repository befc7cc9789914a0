import type { Settings } from "./api/types.ts";
import { t, type Locale } from "./i18n.ts";

/**
 * What to tell a person about a skill: that one the server has not set up is for an admin to turn on, or what a
 * working one does differently. How to set it up is the admin's Setup page's business, not theirs.
 */
export function skillHint(locale: Locale, _name: string, s: Settings["skills"][string] | undefined): string | undefined {
  if (!s) return undefined;
  if (s.configured) return s.slideshow ? t(locale, "skillSlideshow") : undefined;
  return t(locale, "skillMissing");
}
