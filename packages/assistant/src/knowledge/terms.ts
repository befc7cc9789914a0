const segmenter = new Intl.Segmenter("zh", { granularity: "word" });

/**
 * The words of a text for full-text search, the same way for documents and queries: folded (NFKC, so full-width
 * letters and digits are plain ones; lower case), then split by Intl.Segmenter, whose dictionary splits Chinese
 * into words ("印度尼西亚的首都" → 印度 尼西亚 的 首都) and other scripts at word boundaries.
 */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const s of segmenter.segment(text.normalize("NFKC").toLowerCase())) if (s.isWordLike) out.push(s.segment);
  return out;
}
