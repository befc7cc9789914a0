import { useEffect, useState } from "react";
import { conversations } from "./api/conversations.ts";
import type { Conversation } from "./api/types.ts";
import { t, type Locale } from "./i18n.ts";

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

/** Conversations, newest first, with a search over titles and messages (a drawer on narrow screens). */
export function Sidebar({ locale, list, current, busy, onOpen, onNew, onRename, onDelete }: Props) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Conversation[] | null>(null);
  useEffect(() => {
    const q = query.trim();
    if (!q) return setFound(null);
    const timer = setTimeout(() => void conversations.search(q).then(setFound, () => setFound([])), 250);
    return () => clearTimeout(timer);
  }, [query]);
  const shown = found ?? list;
  return (
    <aside className="sidebar" data-testid="sidebar">
      <button type="button" className="new" data-testid="new-chat" onClick={onNew} disabled={busy}>
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
          <div key={c.id} className={`row ${c.id === current ? "active" : ""}`}>
            <button type="button" data-testid="conversation-item" className="item" onClick={() => onOpen(c.id)} disabled={busy}>
              <span className="title">{c.title || t(locale, "untitled")}</span>
              {found && c.match && <span className="match">{c.match}</span>}
            </button>
            {c.id === current && !busy && (
              <span className="row-tools">
                <button
                  type="button"
                  className="ghost"
                  data-testid="rename"
                  title={t(locale, "rename")}
                  onClick={() => {
                    const title = prompt(t(locale, "rename"), c.title)?.trim();
                    if (title) onRename(c.id, title);
                  }}
                >
                  ✎
                </button>
                <button
                  type="button"
                  className="ghost"
                  data-testid="delete"
                  title={t(locale, "delete")}
                  onClick={() => confirm(t(locale, "confirmDelete")) && onDelete(c.id)}
                >
                  ×
                </button>
              </span>
            )}
          </div>
        ))}
        {!shown.length && <p className="meta">{t(locale, "noConversations")}</p>}
      </nav>
    </aside>
  );
}
