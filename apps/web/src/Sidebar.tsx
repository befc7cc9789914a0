import { useEffect, useState } from "react";
import { conversations } from "./api/conversations.ts";
import type { Conversation } from "./api/types.ts";
import { t, type Locale, fillText } from "./i18n.ts";
import { ConfirmDialog } from "./sidebar/ConfirmDialog.tsx";
import { RenameDialog } from "./sidebar/RenameDialog.tsx";
import { RowMenu } from "./sidebar/RowMenu.tsx";

interface Props {
  locale: Locale;
  list: Conversation[];
  current: string | undefined;
  busy: boolean;
  onOpen(id: string): void;
  onNew(): void;
  onRename(id: string, title: string): void;
  onDelete(id: string): void;
}

/**
 * Conversations, newest first, with a search over titles and messages (a drawer on narrow screens); each one's ⋯ menu
 * renames or deletes it, asking in a dialog.
 */
export function Sidebar({ locale, list, current, busy, onOpen, onNew, onRename, onDelete }: Props) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Conversation[] | null>(null);
  const [asking, setAsking] = useState<{ what: "rename" | "delete"; conversation: Conversation } | null>(null);
  useEffect(() => {
    const q = query.trim();
    if (!q) return setFound(null);
    const timer = setTimeout(() => void conversations.search(q).then(setFound, () => setFound([])), 250);
    return () => clearTimeout(timer);
  }, [query]);
  const shown = found ?? list;
  const titleOf = (c: Conversation) => c.title || t(locale, "untitled");
  return (
    <aside className="sidebar" data-testid="sidebar">
      <button type="button" className="new" data-testid="new-chat" onClick={() => onNew()} disabled={busy}>
        + {t(locale, "newChat")}
      </button>
      <input
        type="search"
        data-testid="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        placeholder={t(locale, "search")}
        aria-label={t(locale, "search")}
      />
      <nav aria-label={t(locale, "conversations")}>
        {shown.map((c) => (
          <div key={c.id} className={`row ${c.id === current ? "active" : ""}`} data-testid="conversation-row">
            <button
              type="button"
              data-testid="conversation-item"
              className="item"
              onClick={() => onOpen(c.id)}
              disabled={busy}
              aria-current={c.id === current ? "page" : undefined}
            >
              <span className="title">{titleOf(c)}</span>
              {found && c.match && <span className="match">{c.match}</span>}
            </button>
            <RowMenu
              label={fillText(t(locale, "conversationActions"), { title: titleOf(c) })}
              disabled={busy}
              items={[
                { label: t(locale, "rename"), testId: "rename", onSelect: () => setAsking({ what: "rename", conversation: c }) },
                { label: t(locale, "delete"), testId: "delete", onSelect: () => setAsking({ what: "delete", conversation: c }) },
              ]}
            />
          </div>
        ))}
        {!shown.length && (
          <p className="meta" data-testid="no-conversations">
            {found ? fillText(t(locale, "noMatches"), { query: query.trim() }) : t(locale, "noConversations")}
          </p>
        )}
      </nav>
      {asking?.what === "rename" && (
        <RenameDialog
          locale={locale}
          title={asking.conversation.title}
          onClose={() => setAsking(null)}
          onSave={(title) => {
            onRename(asking.conversation.id, title);
            setAsking(null);
          }}
        />
      )}
      {asking?.what === "delete" && (
        <ConfirmDialog
          locale={locale}
          testId="delete-dialog"
          title={t(locale, "deleteConversation")}
          body={fillText(t(locale, "deleteConversationBody"), { title: titleOf(asking.conversation) })}
          action={t(locale, "delete")}
          onClose={() => setAsking(null)}
          onConfirm={() => {
            onDelete(asking.conversation.id);
            setAsking(null);
          }}
        />
      )}
    </aside>
  );
}
