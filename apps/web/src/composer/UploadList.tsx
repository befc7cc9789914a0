import { t, type Locale } from "../i18n.ts";
import type { Upload } from "./useUploads.ts";

interface Props {
  uploads: Upload[];
  locale: Locale;
  /** Offer to translate indexed documents whole (the translate skill is on). */
  translating: boolean;
  onTranslate(u: Upload): void;
  onRemove(name: string): void;
}

/** The documents going with the next message, each with its progress or what went wrong. */
export function UploadList({ uploads, locale, translating, onTranslate, onRemove }: Props) {
  if (!uploads.length) return null;
  return (
    <ul className="uploads" data-testid="uploads">
      {uploads.map((u) => (
        <li key={u.name} className={u.state} data-state={u.state}>
          <span className="name">{u.name}</span>
          {(u.state === "sending" || u.state === "translating") && <progress max={1} value={u.progress} data-testid="upload-progress" />}
          {u.state === "indexed" && <span className="meta">✓ {t(locale, "indexed")}</span>}
          {u.state === "translated" && <span className="meta">✓ {t(locale, "skillTranslate")}</span>}
          {u.state === "indexed" && translating && (
            <button type="button" className="ghost" data-testid="translate-document" onClick={() => onTranslate(u)}>
              {t(locale, "translateDocument")}
            </button>
          )}
          {u.state === "failed" && <span className="error">{u.error}</span>}
          {u.state !== "sending" && u.state !== "translating" && (
            <button type="button" className="ghost" aria-label="×" onClick={() => onRemove(u.name)}>
              ×
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
