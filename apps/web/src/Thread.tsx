import type { Citation, ImageView, MessageMeta, MessageView } from "@benih/contracts";
import { lazy, Suspense, useCallback, useState } from "react";
import { conversations } from "./api/conversations.ts";
import { onEnterToSend } from "./composer/enterToSend.ts";
import { t, type Locale, fillText } from "./i18n.ts";
import { Markdown } from "./thread/LazyMarkdown.tsx";
import { useMedia } from "./media.tsx";
import { failureOf } from "./thread/errors.ts";
import { Failure } from "./thread/Failure.tsx";
import { MemoryNote } from "./thread/MemoryNote.tsx";
import { ExtractedLead, NeedsLargerModel, NothingFound } from "./thread/Notice.tsx";
import { sourceName } from "./thread/passages.ts";
import { SourcePanel } from "./thread/SourcePanel.tsx";
import { ToolCalls } from "./thread/ToolCalls.tsx";
import { ReadAloud } from "./thread/ReadAloud.tsx";
import { Branches, CopyAnswer, RateAnswer, Timestamp } from "./thread/TurnTools.tsx";

// Loaded with the first video shown: most conversations have none.
const VideoCard = lazy(() => import("./VideoCard.tsx").then((m) => ({ default: m.VideoCard })));

function DrawnImage({ image, alt, label, onChange }: { image: ImageView; alt: string; label: string; onChange(): void }) {
  const src = useMedia(image.url);
  return (
    <div className="drawn">
      <a href={src} target="_blank" rel="noreferrer">
        {src && <img src={src} alt={alt} data-testid="drawn-image" />}
      </a>
      <span className="meta">
        {image.model} · {image.size}
        {image.seed !== null && ` · seed ${image.seed}`}{" "}
        <button type="button" className="ghost" data-testid="change-image" onClick={onChange}>
          {label}
        </button>
      </span>
    </div>
  );
}

/** An image a question carries, fetched with the key; a click opens it whole. */
function AttachedImage({ image, alt }: { image: ImageView; alt: string }) {
  const src = useMedia(image.url);
  return (
    <li>
      <a href={src} target="_blank" rel="noreferrer">
        {src && <img src={src} alt={alt} data-testid="attached-image" />}
      </a>
    </li>
  );
}

export interface Turn
  extends Pick<MessageView, "id" | "parent_id" | "role" | "content" | "siblings" | "error">,
    Partial<Pick<MessageView, "conversation_id" | "created_at" | "feedback">> {
  /** done, or what happened to it; "streaming" while it arrives. */
  status: MessageView["status"];
  meta?: MessageMeta;
}

/** What a reader may do to the thread. */
export interface ThreadActions {
  onSwitch(to: string): void;
  onEdit(turn: Turn, text: string): void;
  onRegenerate(turn: Turn): void;
  /** Start changing a drawn image: the next message says how. */
  onChangeImage(id: string): void;
  /** A request of the thread's own (rating an answer) failed. */
  onProblem(e: Error): void;
}

interface Props extends ThreadActions {
  turns: Turn[];
  locale: Locale;
  busy: boolean;
}

type Rating = MessageView["feedback"];

/** A question being edited, Enter sending it as the composer does. */
function EditBox({
  turn,
  locale,
  busy,
  onEdit,
  onCancel,
}: {
  turn: Turn;
  locale: Locale;
  busy: boolean;
  onEdit(text: string): void;
  onCancel(): void;
}) {
  const [text, setText] = useState(turn.content);
  const send = () => {
    if (text.trim() && !busy) onEdit(text.trim());
  };
  return (
    <form
      className="edit"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <textarea
        data-testid="edit-input"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onEnterToSend(send)}
        rows={3}
        aria-label={t(locale, "edit")}
        // biome-ignore lint/a11y/noAutofocus: the reader asked to edit this question just now
        autoFocus
      />
      <div className="row">
        <button type="button" className="ghost" onClick={onCancel}>
          {t(locale, "cancel")}
        </button>
        <button type="submit" data-testid="edit-send" disabled={busy}>
          {t(locale, "save")}
        </button>
      </div>
    </form>
  );
}

/**
 * An answer's body: what it drew, its notice, its text with citation marks, the tools it called, its sources, its
 * memory, how it ended.
 */
function Answer({
  turn,
  locale,
  onChangeImage,
  onCite,
  onProblem,
}: {
  turn: Turn;
  locale: Locale;
  onChangeImage(id: string): void;
  onCite(c: Citation): void;
  onProblem(e: Error): void;
}) {
  const citations = turn.meta?.citations ?? [];
  const notice = turn.meta?.notice;
  const cite = useCallback(
    (n: number) => {
      const c = citations.find((x) => x.n === n);
      if (c) onCite(c);
    },
    [citations, onCite],
  );
  return (
    <>
      {turn.meta?.images?.map((img) => (
        <DrawnImage
          key={img.id}
          image={img}
          alt={turn.content || img.model}
          label={t(locale, "changeImage")}
          onChange={() => onChangeImage(img.id)}
        />
      ))}
      {turn.meta?.video && (
        <Suspense fallback={null}>
          <VideoCard job={turn.meta.video} locale={locale} />
        </Suspense>
      )}
      {notice?.code === "extracted" && <ExtractedLead locale={locale} />}
      {notice?.code === "needs_larger_model" ? (
        <NeedsLargerModel notice={notice} locale={locale} />
      ) : notice?.code === "nothing_found" ? (
        <NothingFound locale={locale} />
      ) : (
        turn.content && <Markdown text={turn.content} locale={locale} citations={citations.length} onCite={cite} />
      )}
      {turn.status === "streaming" && <span className="caret" aria-hidden="true" />}
      <ToolCalls calls={turn.meta?.toolCalls} conversation={turn.conversation_id} answer={turn.id} locale={locale} onProblem={onProblem} />
      {citations.length > 0 && (
        <ol className="sources" data-testid="sources" aria-label={t(locale, "sources")}>
          {citations.map((c) => (
            <li key={c.n}>
              <button type="button" className="source" data-testid="source" onClick={() => onCite(c)}>
                <span className="n">[{c.n}]</span> {sourceName(c)}
                {c.page !== null && <span className="meta"> · {t(locale, "page").replace("{n}", String(c.page))}</span>}
              </button>
            </li>
          ))}
        </ol>
      )}
      <MemoryNote memory={turn.meta?.memory} locale={locale} />
      {(turn.status === "stopped" || turn.status === "interrupted") && (
        <p className="meta ended" data-testid="ended">
          [{t(locale, turn.status === "stopped" ? "answerStopped" : "answerInterrupted")}]
        </p>
      )}
      {turn.status === "failed" && (
        <Failure locale={locale} explain={failureOf(turn.meta?.errorCode, turn.error)} detail={turn.error} testId="answer-error" />
      )}
    </>
  );
}

/** One branch of a conversation: each turn with its versions (‹ 1/2 ›), edit for questions; copy, rating and regenerate for answers. */
export function Thread({ turns, locale, busy, onSwitch, onEdit, onRegenerate, onChangeImage, onProblem }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const [source, setSource] = useState<Citation | null>(null);
  /** Ratings given here, until the conversation is loaded again with them. */
  const [rated, setRated] = useState<Record<string, Rating>>({});
  const rate = (turn: Turn, rating: Rating) => {
    if (!turn.conversation_id) return;
    setRated((r) => ({ ...r, [turn.id]: rating }));
    conversations.rate(turn.conversation_id, turn.id, { rating }).then(
      (saved) => setRated((r) => ({ ...r, [turn.id]: saved.feedback })),
      (e: Error) => {
        setRated((r) => ({ ...r, [turn.id]: turn.feedback ?? null }));
        onProblem(e);
      },
    );
  };
  return (
    <>
      {turns.map((turn) => {
        const isEditing = editing === turn.id;
        const done = !isEditing && turn.status !== "streaming";
        return (
          <article
            key={turn.id}
            className={`turn ${turn.role}`}
            data-testid={turn.role === "user" ? "user-turn" : "assistant-turn"}
            data-state={turn.status}
            aria-label={t(locale, turn.role === "user" ? "you" : "assistant")}
            aria-busy={turn.status === "streaming"}
          >
            <div className="bubble">
              {isEditing ? (
                <EditBox
                  turn={turn}
                  locale={locale}
                  busy={busy}
                  onCancel={() => setEditing(null)}
                  onEdit={(text) => {
                    onEdit(turn, text);
                    setEditing(null);
                  }}
                />
              ) : turn.role === "assistant" ? (
                <Answer turn={turn} locale={locale} onChangeImage={onChangeImage} onCite={setSource} onProblem={onProblem} />
              ) : (
                <>
                  {!!turn.meta?.attachments?.length && (
                    <ul className="attached" data-testid="attachments">
                      {turn.meta.attachments.map((a) => (
                        <li key={a.id}>{a.source}</li>
                      ))}
                    </ul>
                  )}
                  {!!turn.meta?.images?.length && (
                    <ul className="attached-images" data-testid="attached-images">
                      {turn.meta.images.map((img, i) => (
                        <AttachedImage key={img.id} image={img} alt={fillText(t(locale, "attachedImage"), { name: i + 1 })} />
                      ))}
                    </ul>
                  )}
                  <div className="plain">{turn.content}</div>
                </>
              )}
            </div>
            {(done || (turn.role === "assistant" && !isEditing)) && (
              <div className="turn-tools">
                {/* Shown while the answer streams too: it is read aloud sentence by sentence as they come. */}
                {turn.role === "assistant" && turn.content && <ReadAloud text={turn.content} streaming={!done} locale={locale} />}
                {done && (
                  <>
                    {turn.siblings.length > 1 && (
                      <Branches siblings={turn.siblings} id={turn.id} locale={locale} busy={busy} onSwitch={onSwitch} />
                    )}
                    {turn.role === "user" ? (
                      <button type="button" className="ghost" data-testid="edit" disabled={busy} onClick={() => setEditing(turn.id)}>
                        {t(locale, "edit")}
                      </button>
                    ) : (
                      <>
                        {turn.content && <CopyAnswer text={turn.content} locale={locale} />}
                        {turn.conversation_id && turn.status !== "failed" && (
                          <RateAnswer
                            rating={turn.id in rated ? rated[turn.id]! : (turn.feedback ?? null)}
                            locale={locale}
                            onRate={(r) => rate(turn, r)}
                          />
                        )}
                        <button type="button" className="ghost" data-testid="regenerate" disabled={busy} onClick={() => onRegenerate(turn)}>
                          {t(locale, "regenerate")}
                        </button>
                      </>
                    )}
                    {turn.created_at !== undefined && turn.role === "assistant" && <Timestamp at={turn.created_at} locale={locale} />}
                  </>
                )}
              </div>
            )}
          </article>
        );
      })}
      {source && <SourcePanel citation={source} locale={locale} onClose={() => setSource(null)} />}
    </>
  );
}
