/**
 * llama.cpp's "gpt-2" pre-tokenizer: text is split into words before BPE, and no merge crosses a word boundary.
 * This is llama.cpp's regex for that pre-tokenizer; like llama.cpp, the text between matches (a lone newline
 * before a letter, say) is kept as words of its own rather than dropped, which JavaScript's matchAll would do.
 * Chinese characters are letters (\p{L}), so a run of Chinese text is one word (train-bpe.ts keeps merges within
 * one character of it).
 */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)/gu;

export function pretokenize(text: string): string[] {
  const words: string[] = [];
  let last = 0;
  for (const m of text.matchAll(GPT2_SPLIT)) {
    if (m.index > last) words.push(text.slice(last, m.index));
    words.push(m[0]);
    last = m.index + m[0].length;
  }
  if (last < text.length) words.push(text.slice(last));
  return words;
}
