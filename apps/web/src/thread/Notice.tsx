import type { MessageMeta } from "@benih/contracts";
import { t, type Locale, type TextKey } from "../i18n.ts";

// The built-in skills' names as the composer's chips say them; another skill is named by its id.
const SKILL_NAMES: Record<string, TextKey> = {
  search: "skillSearch",
  web: "skillWeb",
  translate: "skillTranslate",
  write: "skillWrite",
  image: "skillImage",
  video: "skillVideo",
};

type Notice = NonNullable<MessageMeta["notice"]>;

const fill = (text: string, values: Record<string, string | number | undefined>) =>
  text.replace(/\{(\w+)\}/g, (all, k: string) => String(values[k] ?? all));

/** The lead-in above passages quoted as they are: the model could not answer from them itself. */
export function ExtractedLead({ locale }: { locale: Locale }) {
  return (
    <p className="answer-notice" data-testid="notice" data-code="extracted">
      {t(locale, "extractedLead")}
    </p>
  );
}

/** Said in place of the server's English when the sources had nothing on the question (and the model was too small to say so). */
export function NothingFound({ locale }: { locale: Locale }) {
  return (
    <p className="answer-notice" data-testid="notice" data-code="nothing_found">
      {t(locale, "nothingFound")}
    </p>
  );
}

/**
 * Why a skill could not run on this model, or why it could not see the message's images, and how an admin adds a
 * model that can (in place of the server's English).
 */
export function NeedsLargerModel({ notice, locale }: { notice: Notice; locale: Locale }) {
  if (notice.skill === "vision")
    return (
      <div className="answer-notice" data-testid="notice" data-code="needs_larger_model" data-skill="vision">
        <p>{t(locale, "needsVisionModel")}</p>
        <p>{t(locale, "needsVisionModelHow")}</p>
      </div>
    );
  const skill = notice.skill ? (SKILL_NAMES[notice.skill] ? t(locale, SKILL_NAMES[notice.skill]!) : notice.skill) : "";
  return (
    <div className="answer-notice" data-testid="notice" data-code="needs_larger_model">
      <p>{fill(t(locale, "needsLargerModel"), { skill, context: notice.contextLength, needed: notice.needed })}</p>
      <p>{t(locale, "needsLargerModelHow")}</p>
    </div>
  );
}
