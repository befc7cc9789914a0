import type { KbChunk } from "@benih/store";
import { terms } from "./terms.ts";

/** Text of one page (PDF) or of the whole document (page null). */
export interface PageText {
  page: number | null;
  text: string;
}

const TARGET = 900;

/**
 * Cuts pages into chunks of about 900 characters at paragraph, then sentence, boundaries; a chunk never spans
 * two pages, so an answer can cite the page. Each chunk carries its search terms.
 */
export function chunk(pages: readonly PageText[]): KbChunk[] {
  const out: KbChunk[] = [];
  for (const { page, text } of pages) {
    const pieces = text
      .replace(/\r\n?/g, "\n")
      .split(/\n\s*\n/)
      .flatMap((para) => (para.length <= TARGET ? [para] : para.split(/(?<=[.!?。！？])\s*/u)))
      .map((p) => p.trim())
      .filter(Boolean);
    let current = "";
    const flush = () => {
      if (current.trim()) out.push({ page, text: current.trim(), terms: terms(current).join(" ") });
      current = "";
    };
    for (const p of pieces) {
      if (current && current.length + p.length + 2 > TARGET) flush();
      // A single piece longer than a chunk (no sentence breaks): cut it by length.
      for (let i = 0; i < p.length; i += TARGET * 1.5) {
        const part = p.slice(i, i + TARGET * 1.5);
        current = current ? `${current}\n\n${part}` : part;
        if (current.length >= TARGET) flush();
      }
    }
    flush();
  }
  return out;
}
