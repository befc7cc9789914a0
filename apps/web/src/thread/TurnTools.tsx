import type { MessageView } from "@benih/contracts";
import { t, type Locale } from "../i18n.ts";
import { CopyIcon, ThumbDownIcon, ThumbUpIcon } from "./icons.tsx";
import { useCopy } from "./useCopy.ts";

type Rating = MessageView["feedback"];

/** ‹ 1/2 ›: the versions of a turn (edits of a question, regenerations of an answer). */
export function Branches({
  siblings,
  id,
  locale,
  busy,
  onSwitch,
}: {
  siblings: string[];
  id: string;
  locale: Locale;
  busy: boolean;
  onSwitch(to: string): void;
}) {
  const at = siblings.indexOf(id);
  return (
    <span className="branches">
      <button
        type="button"
        className="ghost"
        data-testid="branch-prev"
        disabled={busy || at <= 0}
        onClick={() => onSwitch(siblings[at - 1]!)}
        aria-label={t(locale, "previousVersion")}
      >
        ‹
      </button>
      <span
        data-testid="branch-label"
        title={t(locale, "versionOf")
          .replace("{n}", String(at + 1))
          .replace("{total}", String(siblings.length))}
      >
        {at + 1}/{siblings.length}
      </span>
      <button
        type="button"
        className="ghost"
        data-testid="branch-next"
        disabled={busy || at >= siblings.length - 1}
        onClick={() => onSwitch(siblings[at + 1]!)}
        aria-label={t(locale, "nextVersion")}
      >
        ›
      </button>
    </span>
  );
}

/** When a message was written: the time in the reader's locale, the full date and time on hover. */
export function Timestamp({ at, locale }: { at: number; locale: Locale }) {
  const date = new Date(at);
  const full = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short" }).format(date);
  return (
    <time className="stamp" dateTime={date.toISOString()} title={full} data-testid="timestamp">
      {new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" }).format(date)}
    </time>
  );
}

/** Copies an answer's Markdown, saying so once it did. */
export function CopyAnswer({ text, locale }: { text: string; locale: Locale }) {
  const [copied, copy] = useCopy();
  return (
    <button
      type="button"
      className="ghost tool"
      data-testid="copy-answer"
      aria-label={t(locale, "copyAnswer")}
      title={t(locale, "copyAnswer")}
      onClick={() => copy(text)}
    >
      <CopyIcon />
      {copied && (
        <span role="status" data-testid="copied">
          {t(locale, "copied")}
        </span>
      )}
    </button>
  );
}

/** Thumbs up and down, each a toggle: choosing the one already chosen takes the rating back. */
export function RateAnswer({ rating, locale, onRate }: { rating: Rating; locale: Locale; onRate(r: Rating): void }) {
  return (
    <>
      <button
        type="button"
        className="ghost tool"
        data-testid="rate-up"
        aria-pressed={rating === "up"}
        aria-label={t(locale, "goodAnswer")}
        title={t(locale, "goodAnswer")}
        onClick={() => onRate(rating === "up" ? null : "up")}
      >
        <ThumbUpIcon on={rating === "up"} />
      </button>
      <button
        type="button"
        className="ghost tool"
        data-testid="rate-down"
        aria-pressed={rating === "down"}
        aria-label={t(locale, "badAnswer")}
        title={t(locale, "badAnswer")}
        onClick={() => onRate(rating === "down" ? null : "down")}
      >
        <ThumbDownIcon on={rating === "down"} />
      </button>
    </>
  );
}
