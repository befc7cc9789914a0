// How much of a model's context a prompt may take. Tokens are counted by the model's own tokenizer where the server
// has it (benih's GGUFs), and otherwise conservatively: byte-level BPE models may spend one token on every byte of
// rare text, so a prompt is counted as one token per UTF-8 byte. A prompt counted to fit does fit; one that would
// fit is at worst counted a few times too long.

/** Tokens of a text in some model's tokenizer (or an upper bound of them). */
export type TokenCount = (text: string) => number;

/** One token per UTF-8 byte: the most any byte-level BPE spends. */
export const byteCount: TokenCount = (text) => Buffer.byteLength(text);

/** A model's context: its length in tokens, and how its tokens are counted. */
export interface ContextWindow {
  length: number;
  count: TokenCount;
}

/** Tokens a chat template adds around one turn (start and end markers, the role, newlines), at most. */
const TURN_OVERHEAD = 12;
/** Tokens that open the answer's turn. */
const ANSWER_START = 4;

/** Tokens of one turn of a prompt, its template's markers included. */
export const turnTokens = (content: string, count: TokenCount = byteCount): number => count(content) + TURN_OVERHEAD;

/** Tokens left for the answer: a quarter of the context, at least 16 and at most 1,024. */
export const answerRoom = (contextLength: number): number => Math.min(1024, Math.max(16, Math.floor(contextLength / 4)));

/** Tokens a prompt's turns may take in all, leaving room for the answer. */
export const promptBudget = (contextLength: number): number => contextLength - answerRoom(contextLength) - ANSWER_START;

/** What a prompt of these turns needs of a context, room for the answer included. */
export const neededFor = (w: ContextWindow, turns: readonly string[]): number =>
  turns.reduce((n, t) => n + turnTokens(t, w.count), ANSWER_START) + answerRoom(w.length);

/** The start of `text` in at most `tokens` tokens with a closing "…", cut at a character (and, when near, a word) boundary. */
export function cutToTokens(text: string, tokens: number, count: TokenCount = byteCount): string {
  if (count(text) <= tokens) return text;
  const chars = Array.from(text);
  // The longest start that fits, by bisection: counts grow with the text's length.
  let [lo, hi] = [0, chars.length];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (count(`${chars.slice(0, mid).join("").trimEnd()}…`) <= tokens) lo = mid;
    else hi = mid - 1;
  }
  let cut = chars.slice(0, lo).join("");
  const space = cut.search(/\s\S*$/);
  if (space > cut.length * 0.8) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}
