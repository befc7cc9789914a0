import type { Citation, KbPassagesView } from "@benih/contracts";
import { call } from "../api/http.ts";

/** A knowledge-base document as it was read, passage by passage. */
export const documentPassages = (documentId: string) =>
  call<KbPassagesView>("GET", `/v1/knowledge/documents/${encodeURIComponent(documentId)}/passages`);

/** A web source (its id is its address) rather than a document of the knowledge base. */
export const isWebSource = (c: Citation) => /^https?:\/\//.test(c.documentId) || /^https?:\/\//.test(c.source);

/** How a source is named: a web page by its title, a document by its file name. */
export const sourceName = (c: Citation) => (isWebSource(c) ? c.title || c.source : c.source);

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** Which passage a citation quotes: its excerpt is the passage's beginning (or all of it), on the cited page. */
export function citedPassage(c: Citation, passages: KbPassagesView["passages"]): number | undefined {
  const excerpt = squash(c.excerpt);
  const head = excerpt.slice(0, 120);
  const onPage = passages.filter((p) => c.page === null || p.page === null || p.page === c.page);
  const hit =
    onPage.find((p) => squash(p.text).startsWith(head)) ??
    onPage.find((p) => squash(p.text).includes(head)) ??
    onPage.find((p) => excerpt.includes(squash(p.text).slice(0, 120)));
  return hit?.seq;
}
