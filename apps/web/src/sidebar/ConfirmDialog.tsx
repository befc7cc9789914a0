import { Dialog } from "../Dialog.tsx";
import { t, type Locale } from "../i18n.ts";

/** Asks before something that cannot be undone; Escape or Cancel keeps things as they are. */
export function ConfirmDialog({
  locale,
  title,
  body,
  action,
  onConfirm,
  onClose,
  testId,
}: {
  locale: Locale;
  title: string;
  body: string;
  /** The button that does it, e.g. "Delete". */
  action: string;
  onConfirm(): void;
  onClose(): void;
  testId: string;
}) {
  return (
    <Dialog label={title} onClose={onClose} className="panel small-dialog" testId={testId}>
      <h2>{title}</h2>
      <p>{body}</p>
      <div className="dialog-actions">
        <button type="button" className="ghost" data-testid="dialog-cancel" onClick={onClose}>
          {t(locale, "cancel")}
        </button>
        <button type="button" className="danger" data-testid="dialog-confirm" onClick={onConfirm}>
          {action}
        </button>
      </div>
    </Dialog>
  );
}
