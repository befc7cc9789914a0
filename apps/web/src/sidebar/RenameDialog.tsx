import { useState } from "react";
import { Dialog } from "../Dialog.tsx";
import { t, type Locale } from "../i18n.ts";

/** A new title for a conversation: the field starts with the old one, Enter saves, Escape cancels. */
export function RenameDialog({
  locale,
  title,
  onSave,
  onClose,
}: {
  locale: Locale;
  title: string;
  onSave(title: string): void;
  onClose(): void;
}) {
  const [value, setValue] = useState(title);
  const heading = t(locale, "renameConversation");
  return (
    <Dialog label={heading} onClose={onClose} className="panel small-dialog" testId="rename-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const next = value.trim();
          if (next) onSave(next);
        }}
      >
        <h2>{heading}</h2>
        <label className="field">
          {t(locale, "conversationTitle")}
          <input
            data-testid="rename-input"
            value={value}
            maxLength={200}
            autoFocus
            onFocus={(e) => e.target.select()}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        <div className="dialog-actions">
          <button type="button" className="ghost" data-testid="dialog-cancel" onClick={onClose}>
            {t(locale, "cancel")}
          </button>
          <button type="submit" className="primary" data-testid="rename-save" disabled={!value.trim()}>
            {t(locale, "save2")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
