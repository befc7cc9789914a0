/**
 * The whole sentences of `text` from `from` on, and where the rest begins: what read-aloud can speak already while
 * an answer still streams. A sentence ends at . ! ? (followed by a space or the end) or 。！？ or a line break; with
 * `final`, what is left counts as one too. Markdown's marks are dropped, so they are not read out.
 */
export function sentences(text: string, from: number, final: boolean): { parts: string[]; next: number } {
  const parts: string[] = [];
  const end = /([.!?](?=\s|$)|[。！？]|\n)/g;
  end.lastIndex = from;
  let start = from;
  for (let m = end.exec(text); m; m = end.exec(text)) {
    if (m.index + 1 === text.length && !final && /[.!?]/.test(m[0])) break; // "3." may become "3.5"
    push(parts, text.slice(start, m.index + 1));
    start = m.index + 1;
  }
  if (final && start < text.length) {
    push(parts, text.slice(start));
    start = text.length;
  }
  return { parts, next: start };
}

function push(parts: string[], raw: string): void {
  const plain = raw
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/[*_`#>|~]+/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  if (/[\p{L}\p{N}]/u.test(plain)) parts.push(plain);
}
