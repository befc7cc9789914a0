import type { Citation, KbPassagesView } from "@benih/contracts";
import { useEffect, useRef, useState } from "react";
import { Dialog } from "../Dialog.tsx";
import { t, type Locale } from "../i18n.ts";
import { citedPassage, documentPassages, isWebSource, sourceName } from "./passages.ts";

/**
 * A cited source: its excerpt, name and page, and the way to it: a web page's link, or the document itself, read
 * passage by passage with the cited one highlighted and scrolled into view.
 */
export function SourcePanel({ citation: c, locale, onClose }: { citation: Citation; locale: Locale; onClose(): void }) {
  const [doc, setDoc] = useState<KbPassagesView | "loading" | Error | null>(null);
  const cited = useRef<HTMLLIElement>(null);
  const web = isWebSource(c);
  const at = doc && typeof doc === "object" && !(doc instanceof Error) ? citedPassage(c, doc.passages) : undefined;
  useEffect(() => {
    if (at !== undefined) cited.current?.scrollIntoView?.({ block: "center" });
  }, [at]);
  const page = c.page !== null ? ` · ${t(locale, "page").replace("{n}", String(c.page))}` : "";
  return (
    <Dialog label={`${t(locale, "sourcePanel")} ${c.n}`} onClose={onClose} className="panel source-panel" testId="source-panel">
      <header>
        <h2>
          <span className="n">[{c.n}]</span> {sourceName(c)}
          <span className="meta">{page}</span>
        </h2>
        <button type="button" className="ghost" data-testid="source-close" onClick={onClose} aria-label={t(locale, "close")}>
          ×
        </button>
      </header>
      {web && <p className="meta">{c.source}</p>}
      <blockquote className="excerpt" data-testid="source-excerpt">
        {c.excerpt}
      </blockquote>
      {web ? (
        <a className="open-source" href={c.source} target="_blank" rel="noreferrer" data-testid="source-open">
          {t(locale, "openSource")} ↗
        </a>
      ) : doc === null || doc instanceof Error ? (
        <>
          <button
            type="button"
            className="open-source"
            data-testid="source-open"
            onClick={() => {
              setDoc("loading");
              documentPassages(c.documentId).then(setDoc, (e: Error) => setDoc(e));
            }}
          >
            {t(locale, "showInDocument")}
          </button>
          {doc instanceof Error && (
            <p className="error" role="alert">
              {t(locale, "errRequest")} ({doc.message})
            </p>
          )}
        </>
      ) : doc === "loading" ? (
        <p className="meta" role="status">
          {t(locale, "loadingDocument")}
        </p>
      ) : (
        <ol className="passages" data-testid="passages" aria-label={doc.document.title}>
          {doc.passages.map((p) => (
            <li
              key={p.seq}
              ref={p.seq === at ? cited : undefined}
              className={p.seq === at ? "cited" : undefined}
              data-testid={p.seq === at ? "cited-passage" : undefined}
              aria-current={p.seq === at ? "true" : undefined}
            >
              {p.page !== null && <span className="meta">{t(locale, "page").replace("{n}", String(p.page))} </span>}
              {p.seq === at && <span className="sr">{t(locale, "citedPassage")}: </span>}
              {p.text}
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}
