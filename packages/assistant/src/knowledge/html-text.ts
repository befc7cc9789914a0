// Elements whose content is not the page's text: code, and the page's furniture.
const skipped = new Set(["script", "style", "noscript", "template", "svg", "head", "nav", "header", "footer", "aside", "form"]);
// Elements whose end (or <br>) ends a line of text.
const blocks = new Set(["p", "div", "section", "article", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre"]);
const named: Record<string, string> = { nbsp: " ", amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'" };
const tagName = /^<(\/?)([a-z][a-z0-9]*)/;

/**
 * Readable text of a page: scripts, styles and the page's furniture (navigation, header, footer, asides, forms)
 * go; block ends become line breaks; common entities are decoded. One pass with indexOf, never a backtracking
 * pattern: a page is untrusted input, and `<script` repeated a million times without an end tag must cost its
 * length, not its length squared.
 */
export function htmlToText(html: string): { title: string | undefined; text: string } {
  const lower = html.toLowerCase();
  const parts: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt === -1) {
      parts.push(html.slice(i));
      break;
    }
    parts.push(html.slice(i, lt));
    if (lower.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const gt = html.indexOf(">", lt + 1);
    // A tag never closed: what follows is inside it, not text.
    if (gt === -1) break;
    const m = tagName.exec(lower.slice(lt, Math.min(gt + 1, lt + 16)));
    const [closing, name] = m ? [m[1] === "/", m[2]!] : [false, ""];
    i = gt + 1;
    if (!closing && (skipped.has(name) || name === "title")) {
      const close = lower.indexOf(`</${name}`, i);
      const after = close === -1 ? -1 : html.indexOf(">", close);
      i = after === -1 ? html.length : after + 1;
      continue;
    }
    if ((closing && blocks.has(name)) || (!closing && name === "br")) parts.push("\n\n");
  }
  const text = parts
    .join("")
    .replace(/&(nbsp|amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => named[e] ?? "")
    .replace(/&#(\d{1,7});/g, (_, n: string) => (Number(n) <= 0x10ffff ? String.fromCodePoint(Number(n)) : ""))
    .replace(/[ \t]+/g, " ");
  return { title: titleOf(html, lower), text: paragraphs(text) };
}

/** The text of the first <title> element, wherever it is. */
function titleOf(html: string, lower: string): string | undefined {
  const open = lower.indexOf("<title");
  const start = open === -1 ? -1 : lower.indexOf(">", open);
  if (start === -1) return undefined;
  const end = lower.indexOf("</title", start);
  return htmlToText(html.slice(start + 1, end === -1 ? html.length : end)).text.trim() || undefined;
}

/** Lines trimmed, and runs of blank lines as one. */
function paragraphs(text: string): string {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line || (out.length && out[out.length - 1] !== "")) out.push(line);
  }
  while (out.length && out[out.length - 1] === "") out.pop();
  return out.join("\n");
}
