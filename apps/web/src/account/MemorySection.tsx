import { MAX_MEMORY_CHARS, type MemoryList, type MemoryView } from "@benih/contracts";
import { type FormEvent, useEffect, useState } from "react";
import { memories } from "../api/memories.ts";
import { fillText, type Locale } from "../i18n.ts";
import { ConfirmDialog } from "../sidebar/ConfirmDialog.tsx";
import { mt } from "../text/memory.ts";
import { errorText } from "./errors.ts";

/** Saves a file the browser was given (the export) under `name`. */
function download(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** One memory: its text, edited in place, and deleted. */
function MemoryRow({
  memory,
  locale,
  onSave,
  onDelete,
}: {
  memory: MemoryView;
  locale: Locale;
  onSave(content: string): Promise<boolean>;
  onDelete(): void;
}) {
  const [draft, setDraft] = useState<string>();
  async function save(e: FormEvent) {
    e.preventDefault();
    if (draft !== undefined && (await onSave(draft.trim()))) setDraft(undefined);
  }
  if (draft !== undefined)
    return (
      <li data-testid="memory-row">
        <form className="memory-edit" onSubmit={(e) => void save(e)}>
          <label>
            <span className="sr">{mt(locale, "memoryText")}</span>
            <textarea
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              maxLength={MAX_MEMORY_CHARS}
              rows={2}
              data-testid="memory-edit-text"
            />
          </label>
          <button type="submit" disabled={!draft.trim()} data-testid="memory-save">
            {mt(locale, "memorySave")}
          </button>
          <button type="button" className="ghost" onClick={() => setDraft(undefined)}>
            {mt(locale, "memoryCancel")}
          </button>
        </form>
      </li>
    );
  return (
    <li data-testid="memory-row">
      <span className="memory-text">{memory.content}</span>
      <button type="button" className="ghost" onClick={() => setDraft(memory.content)} data-testid="memory-edit">
        {mt(locale, "memoryEdit")}
      </button>
      <button type="button" className="ghost" onClick={onDelete} data-testid="memory-delete">
        {mt(locale, "memoryDelete")}
      </button>
    </li>
  );
}

/** The memories themselves, loaded when the section is opened: on or off, add, edit, delete, delete all, export. */
function MemoryManager({ locale }: { locale: Locale }) {
  const [list, setList] = useState<MemoryList>();
  const [error, setError] = useState<unknown>();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [clearing, setClearing] = useState(false);
  useEffect(() => {
    memories.list().then(setList, setError);
  }, []);

  /** Runs a change, showing its error; true when it went through. */
  async function attempt(change: () => Promise<void>): Promise<boolean> {
    setError(undefined);
    setBusy(true);
    try {
      await change();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }
  const patch = (f: (l: MemoryList) => MemoryList) => setList((l) => l && f(l));

  const add = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      const made = await memories.add(text.trim());
      patch((l) => ({ ...l, data: [made, ...l.data] }));
      setText("");
    });
  };
  const save = (id: string, content: string) =>
    attempt(async () => {
      const m = await memories.update(id, content);
      patch((l) => ({ ...l, data: l.data.map((x) => (x.id === id ? m : x)) }));
    });
  const remove = (id: string) =>
    void attempt(async () => {
      await memories.remove(id);
      patch((l) => ({ ...l, data: l.data.filter((x) => x.id !== id) }));
    });
  const removeAll = () => {
    setClearing(false);
    void attempt(async () => {
      await memories.removeAll();
      patch((l) => ({ ...l, data: [] }));
    });
  };
  const toggle = (enabled: boolean) =>
    void attempt(async () => {
      await memories.setEnabled(enabled);
      patch((l) => ({ ...l, enabled }));
    });
  const exportAll = () => void attempt(async () => download(await memories.export(), "memories.json"));

  if (!list) return error === undefined ? <p className="meta">{mt(locale, "loading")}</p> : <p role="alert">{errorText(locale, error)}</p>;
  return (
    <div className="memory-manager">
      <label className="memory-switch">
        <input
          type="checkbox"
          checked={list.enabled}
          disabled={busy}
          onChange={(e) => toggle(e.target.checked)}
          data-testid="memory-enabled"
        />
        {mt(locale, "memoryOn")}
      </label>
      {!list.enabled && <p className="meta">{mt(locale, "memoryOffNote")}</p>}
      <form className="key-form" onSubmit={add}>
        <label>
          <span className="sr">{mt(locale, "memoryNew")}</span>
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={mt(locale, "memoryAddPlaceholder")}
            maxLength={MAX_MEMORY_CHARS}
            data-testid="memory-new"
          />
        </label>
        <button type="submit" disabled={busy || !text.trim()} data-testid="memory-add">
          {mt(locale, "memoryAdd")}
        </button>
      </form>
      {error !== undefined && <p role="alert">{errorText(locale, error)}</p>}
      {list.data.length === 0 ? (
        <p className="meta">{mt(locale, "memoryNone")}</p>
      ) : (
        <>
          <p className="meta" data-testid="memory-count">
            {fillText(mt(locale, "memoryCount"), { n: list.data.length, limit: list.limit })}
          </p>
          <ul className="key-list memory-list">
            {list.data.map((m) => (
              <MemoryRow key={m.id} memory={m} locale={locale} onSave={(c) => save(m.id, c)} onDelete={() => remove(m.id)} />
            ))}
          </ul>
        </>
      )}
      <div className="memory-actions">
        <button type="button" className="ghost" onClick={exportAll} disabled={busy} data-testid="memory-export">
          {mt(locale, "memoryExport")}
        </button>
        {list.data.length > 0 && (
          <button type="button" className="ghost" onClick={() => setClearing(true)} disabled={busy} data-testid="memory-delete-all">
            {mt(locale, "memoryDeleteAll")}
          </button>
        )}
      </div>
      {clearing && (
        <ConfirmDialog
          locale={locale}
          title={mt(locale, "memoryDeleteAllTitle")}
          body={mt(locale, "memoryDeleteAllBody")}
          action={mt(locale, "memoryDeleteAll")}
          onConfirm={removeAll}
          onClose={() => setClearing(false)}
          testId="memory-delete-all-dialog"
        />
      )}
    </div>
  );
}

/**
 * What the person asked the assistant to remember, in the settings: closed until asked for, so opening the
 * settings costs no request; open, the memories with on/off, add, edit in place, delete, delete all and export.
 */
export function MemorySection({ locale }: { locale: Locale }) {
  const [open, setOpen] = useState(false);
  return (
    <section className="account-part" aria-labelledby="memory-title" data-testid="memory">
      <h3 id="memory-title">{mt(locale, "memoryTitle")}</h3>
      <p className="meta">{mt(locale, "memoryIntro")}</p>
      <button type="button" className="ghost" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="memory-open">
        {mt(locale, "memoryShow")}
      </button>
      {open && <MemoryManager locale={locale} />}
    </section>
  );
}
