import type { ImageView, MessageMeta, MessageView } from "@benih/contracts";
import { lazy, Suspense, useState } from "react";
import { t, type Locale } from "./i18n.ts";
import { Markdown } from "./markdown.tsx";
import { useMedia } from "./media.tsx";

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

export interface Turn extends Pick<MessageView, "id" | "parent_id" | "role" | "content" | "siblings" | "error"> {
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
}

interface Props extends ThreadActions {
  turns: Turn[];
  locale: Locale;
  busy: boolean;
}

/** One branch of a conversation: each turn with its alternatives (‹ 1/2 ›), edit for questions, regenerate for answers. */
export function Thread({ turns, locale, busy, onSwitch, onEdit, onRegenerate, onChangeImage }: Props) {
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  return (
    <>
      {turns.map((turn) => {
        const at = turn.siblings.indexOf(turn.id);
        const isEditing = editing?.id === turn.id;
        return (
          <div
            key={turn.id}
            className={`turn ${turn.role}`}
            data-testid={turn.role === "user" ? "user-turn" : "assistant-turn"}
            data-state={turn.status}
          >
            <div className="bubble">
              {isEditing ? (
                <form
                  className="edit"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (!editing.text.trim()) return;
                    onEdit(turn, editing.text.trim());
                    setEditing(null);
                  }}
                >
                  <textarea
                    data-testid="edit-input"
                    value={editing.text}
                    onChange={(e) => setEditing({ id: turn.id, text: e.target.value })}
                    rows={3}
                  />
                  <div className="row">
                    <button type="button" className="ghost" onClick={() => setEditing(null)}>
                      {t(locale, "cancel")}
                    </button>
                    <button type="submit" data-testid="edit-send" disabled={busy}>
                      {t(locale, "save")}
                    </button>
                  </div>
                </form>
              ) : turn.role === "assistant" ? (
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
                  {turn.content && <Markdown text={turn.content} citations={turn.meta?.citations?.length ?? 0} />}
                </>
              ) : (
                <>
                  {!!turn.meta?.attachments?.length && (
                    <ul className="attached" data-testid="attachments">
                      {turn.meta.attachments.map((a) => (
                        <li key={a.id}>{a.source}</li>
                      ))}
                    </ul>
                  )}
                  <div className="plain">{turn.content}</div>
                </>
              )}
              {turn.status === "streaming" && <span className="caret" aria-hidden="true" />}
              {!!turn.meta?.citations?.length && (
                <ol className="sources" data-testid="sources" aria-label={t(locale, "sources")}>
                  {turn.meta.citations.map((c) => (
                    <li key={c.n} id={`${turn.id}-src-${c.n}`} title={c.excerpt}>
                      <span className="n">[{c.n}]</span> {c.source}
                      {c.page !== null && <span className="meta"> · {t(locale, "page").replace("{n}", String(c.page))}</span>}
                    </li>
                  ))}
                </ol>
              )}
              {(turn.status === "stopped" || turn.status === "interrupted") && <em className="meta"> [{t(locale, turn.status)}]</em>}
              {turn.status === "failed" && (
                <em className="meta error">
                  {t(locale, "failed")}: {turn.error}
                </em>
              )}
            </div>
            {!isEditing && turn.status !== "streaming" && (
              <div className="turn-tools">
                {turn.siblings.length > 1 && (
                  <span className="branches">
                    <button
                      type="button"
                      className="ghost"
                      data-testid="branch-prev"
                      disabled={busy || at <= 0}
                      onClick={() => onSwitch(turn.siblings[at - 1]!)}
                      aria-label="previous version"
                    >
                      ‹
                    </button>
                    <span data-testid="branch-label">
                      {at + 1}/{turn.siblings.length}
                    </span>
                    <button
                      type="button"
                      className="ghost"
                      data-testid="branch-next"
                      disabled={busy || at >= turn.siblings.length - 1}
                      onClick={() => onSwitch(turn.siblings[at + 1]!)}
                      aria-label="next version"
                    >
                      ›
                    </button>
                  </span>
                )}
                {turn.role === "user" ? (
                  <button
                    type="button"
                    className="ghost"
                    data-testid="edit"
                    disabled={busy}
                    onClick={() => setEditing({ id: turn.id, text: turn.content })}
                  >
                    {t(locale, "edit")}
                  </button>
                ) : (
                  <button type="button" className="ghost" data-testid="regenerate" disabled={busy} onClick={() => onRegenerate(turn)}>
                    {t(locale, "regenerate")}
                  </button>
                )}
              </div>
            )}
          </div>
        );
      })}
    </>
  );
}
