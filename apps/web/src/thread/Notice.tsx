import type { MessageMeta } from "@benih/contracts";
import { fillText, skillLabel, t, type Locale } from "../i18n.ts";

type Notice = NonNullable<MessageMeta["notice"]>;

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
  const skill = notice.skill ? skillLabel(locale, notice.skill) : "";
  return (
    <div className="answer-notice" data-testid="notice" data-code="needs_larger_model">
      <p>
        {notice.reason === "instructions"
          ? fillText(t(locale, "needsInstructedModel"), { skill })
          : fillText(t(locale, "needsLargerModel"), { skill, context: notice.contextLength, needed: notice.needed })}
      </p>
      <p>{t(locale, "needsLargerModelHow")}</p>
    </div>
  );
}
