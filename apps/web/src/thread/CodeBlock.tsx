import { t, type Locale } from "../i18n.ts";
import { highlight } from "./highlight.tsx";
import { useCopy } from "./useCopy.ts";

/** A fenced code block: its language, a copy button, and the code highlighted. */
export function CodeBlock({ code, lang, locale }: { code: string; lang: string; locale: Locale }) {
  const [copied, copy] = useCopy();
  return (
    <div className="code">
      <div className="code-bar">
        <span>{lang || "text"}</span>
        <button type="button" className="ghost" aria-label={t(locale, "copyCode")} onClick={() => copy(code)}>
          {copied ? (
            <span role="status">{t(locale, "copied")}</span>
          ) : (
            <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.5">
              <rect x="5" y="5" width="9" height="9" rx="1.5" />
              <path d="M11 5V3.5A1.5 1.5 0 0 0 9.5 2h-6A1.5 1.5 0 0 0 2 3.5v6A1.5 1.5 0 0 0 3.5 11H5" />
            </svg>
          )}
        </button>
      </div>
      <pre>
        <code data-lang={lang}>{highlight(code, lang)}</code>
      </pre>
    </div>
  );
}
