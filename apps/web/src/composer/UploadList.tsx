import { useEffect, useState } from "react";
import { t, type Locale, fillText } from "../i18n.ts";
import { isImage } from "./fileCheck.ts";
import type { Upload } from "./useUploads.ts";

/** A picture of an image being attached, from the file itself (nothing is fetched). */
function Thumbnail({ file, alt }: { file: File; alt: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    const url = URL.createObjectURL(file);
    setSrc(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);
  return src ? <img className="thumb" src={src} alt={alt} data-testid="upload-thumbnail" /> : null;
}

interface Props {
  uploads: Upload[];
  locale: Locale;
  /** Offer to translate indexed documents whole (the translate skill is on). */
  translating: boolean;
  onTranslate(u: Upload): void;
  onRemove(name: string): void;
}

/** The files going with the next message (images as thumbnails), each with its progress or what went wrong. */
export function UploadList({ uploads, locale, translating, onTranslate, onRemove }: Props) {
  if (!uploads.length) return null;
  return (
    <ul className="uploads" data-testid="uploads">
      {uploads.map((u) => (
        <li key={u.name} className={u.state} data-state={u.state} data-testid="upload">
          {isImage(u.file) && u.state !== "refused" && (
            <Thumbnail file={u.file} alt={fillText(t(locale, "attachedImage"), { name: u.name })} />
          )}
          <span className="name">{u.name}</span>
          {(u.state === "sending" || u.state === "translating") && <progress max={1} value={u.progress} data-testid="upload-progress" />}
          {u.state === "indexed" && <span className="meta">✓ {t(locale, "indexed")}</span>}
          {u.state === "translated" && <span className="meta">✓ {t(locale, "skillTranslate")}</span>}
          {u.state === "indexed" && translating && (
            <button type="button" className="ghost" data-testid="translate-document" onClick={() => onTranslate(u)}>
              {t(locale, "translateDocument")}
            </button>
          )}
          {u.error && (
            <span className="error" role="alert" data-testid="upload-error">
              {u.error}
              {u.detail && <small className="detail">{u.detail}</small>}
            </span>
          )}
          {u.state !== "sending" && u.state !== "translating" && (
            <button
              type="button"
              className="ghost"
              aria-label={fillText(t(locale, "removeAttachment"), { name: u.name })}
              onClick={() => onRemove(u.name)}
            >
              ×
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
