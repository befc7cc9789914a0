import type { PDFDocumentProxy } from "pdfjs-dist/legacy/build/pdf.mjs";
import type { PageText } from "./chunk.ts";
import { defaultDocumentLimits, DocumentTooLargeError, ExtractError, type DocumentLimits } from "./limits.ts";
import { htmlToText } from "./html-text.ts";
import { checkZip } from "./zip.ts";

export { ExtractError, htmlToText };

export interface Extracted {
  title: string;
  mime: string;
  pages: PageText[];
  /** Pages in the file (PDF only). */
  pageCount: number | null;
}

const kinds = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  md: "text/markdown",
  markdown: "text/markdown",
  html: "text/html",
  htm: "text/html",
  txt: "text/plain",
} as const;

export const acceptedExtensions = Object.keys(kinds);

const extensionOf = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? "";
const baseName = (name: string) => name.replace(/^.*[\\/]/, "").replace(/\.[^.]+$/, "");

function utf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw new ExtractError(`${name} is not UTF-8 text`);
  }
}

const tooMuchText = (name: string, limits: DocumentLimits) =>
  new DocumentTooLargeError(
    `${name} holds more than ${limits.maxTextChars.toLocaleString("en")} characters of text, the limit (maxTextChars)`,
    "maxTextChars",
  );

async function pdfPages(bytes: Uint8Array, name: string, limits: DocumentLimits): Promise<{ pages: PageText[]; count: number }> {
  if (!Buffer.from(bytes.subarray(0, 5)).toString("latin1").startsWith("%PDF-"))
    throw new ExtractError(`${name} is not a PDF: it does not start with %PDF-`);
  const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");
  let doc: PDFDocumentProxy;
  try {
    // pdf.js takes a plain Uint8Array it may detach, not a Buffer: a copy.
    doc = await getDocument({
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
    }).promise;
  } catch (err) {
    const e = err as Error;
    throw new ExtractError(
      e.name === "PasswordException" ? `${name} is protected by a password` : `${name} is a damaged PDF: ${e.message}`,
      e.name === "PasswordException" ? "encrypted_file" : "unreadable_file",
    );
  }
  try {
    // Before any page is read: pages may share one costly content stream, so a small file can be hours of work.
    if (doc.numPages > limits.maxPdfPages)
      throw new DocumentTooLargeError(
        `${name} has ${doc.numPages} pages, over the limit of ${limits.maxPdfPages} (maxPdfPages)`,
        "maxPdfPages",
      );
    const pages: PageText[] = [];
    let chars = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const text = content.items.map((i) => ("str" in i ? i.str + (i.hasEOL ? "\n" : "") : "")).join("");
      page.cleanup();
      if ((chars += text.length) > limits.maxTextChars) throw tooMuchText(name, limits);
      if (text.trim()) pages.push({ page: n, text });
    }
    return { pages, count: doc.numPages };
  } catch (err) {
    if (err instanceof DocumentTooLargeError) throw err;
    throw new ExtractError(`${name} is a damaged PDF: ${(err as Error).message}`);
  } finally {
    await doc.destroy();
  }
}

/**
 * The text of an uploaded file, by its name's extension, checked against its first bytes and the limits. Runs on
 * the calling thread with no time limit: for files from users, `readDocument` runs it in a worker.
 */
export async function extract(name: string, bytes: Uint8Array, limits: DocumentLimits = defaultDocumentLimits): Promise<Extracted> {
  const ext = extensionOf(name);
  const mime = kinds[ext as keyof typeof kinds];
  if (!mime)
    throw new ExtractError(`${name}: benih reads ${acceptedExtensions.map((e) => `.${e}`).join(", ")} files`, "unsupported_file_type");
  let title = baseName(name);
  let pages: PageText[];
  let pageCount: number | null = null;
  if (ext === "pdf") {
    const r = await pdfPages(bytes, name, limits);
    pages = r.pages;
    pageCount = r.count;
  } else if (ext === "docx") {
    if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new ExtractError(`${name} is not a DOCX file: it is not a ZIP archive`);
    checkZip(bytes, name, limits);
    const mammoth = await import("mammoth");
    try {
      pages = [{ page: null, text: (await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value }];
    } catch (err) {
      throw new ExtractError(`${name} is a damaged DOCX file: ${(err as Error).message}`);
    }
  } else if (ext === "html" || ext === "htm") {
    const r = htmlToText(utf8(bytes, name));
    title = r.title || title;
    pages = [{ page: null, text: r.text }];
  } else {
    const text = utf8(bytes, name);
    if (ext !== "txt") title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim() || title;
    pages = [{ page: null, text }];
  }
  if (pages.reduce((n, p) => n + p.text.length, 0) > limits.maxTextChars) throw tooMuchText(name, limits);
  if (!pages.some((p) => p.text.trim()))
    throw new ExtractError(
      `${name} has no text to read${ext === "pdf" ? " (a scanned PDF needs OCR, which benih does not do yet)" : ""}`,
      "no_text",
    );
  return { title, mime, pages, pageCount };
}
