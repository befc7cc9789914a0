import { useRef } from "react";
import { t, type Locale } from "./i18n.ts";
import { Thread, type ThreadActions, type Turn } from "./Thread.tsx";
import { Announcer } from "./thread/Announcer.tsx";
import { failureOfError } from "./thread/errors.ts";
import { Failure } from "./thread/Failure.tsx";
import { ArrowDownIcon } from "./thread/icons.tsx";
import { useFollow } from "./thread/useFollow.ts";

interface Props extends ThreadActions {
  turns: Turn[];
  locale: Locale;
  busy: boolean;
  /** A request that failed outside an answer (an answer's own failure is shown in its bubble). */
  error: Error | undefined;
  /** How many models the server offers; null until it has said. */
  models: number | null;
  /** Prompts to start an empty conversation with (the agent's, else the model's examples). */
  starters: string[];
  /** What the empty conversation says first (what the model answers in). */
  intro?: string;
  onStarter(text: string): void;
}

/** The conversation shown, following a streaming answer while the reader is at its end, or what to start one with. */
export function MessageList({ turns, locale, busy, error, models, starters, intro, onStarter, ...actions }: Props) {
  const list = useRef<HTMLElement>(null);
  const last = turns.at(-1);
  const { atEnd, jump } = useFollow(list, `${turns.length} ${last?.id} ${last?.content.length} ${last?.status}`);
  return (
    <div className="thread-frame">
      <main className="thread" data-testid="thread" ref={list} aria-label={t(locale, "messages")}>
        {error && (
          <div className="notice error" data-testid="error" role="alert">
            <Failure locale={locale} explain={failureOfError(error)} detail={error.message} testId="request-error" />
          </div>
        )}
        {models === 0 && !error && <p className="notice">{t(locale, "noModels")}</p>}
        {!turns.length && !!models && (
          <p className="empty" data-testid="intro">
            {intro ?? t(locale, "empty")}
          </p>
        )}
        {!turns.length && starters.length > 0 && (
          <div className="starters">
            {starters.map((st) => (
              <button key={st} type="button" className="ghost" data-testid="starter" onClick={() => onStarter(st)}>
                {st}
              </button>
            ))}
          </div>
        )}
        <Thread turns={turns} locale={locale} busy={busy} {...actions} />
      </main>
      {!atEnd && turns.length > 0 && (
        <button type="button" className="jump-latest" data-testid="jump-latest" onClick={jump}>
          <ArrowDownIcon /> {t(locale, "jumpToLatest")}
        </button>
      )}
      <Announcer turns={turns} locale={locale} />
    </div>
  );
}
