// How much of a model's context a prompt may take. Token counts are estimated without the model's tokenizer, and
// conservatively: byte-level BPE models (benih-tiny among them) may spend one token on every byte of rare text, so
// a prompt is counted as one token per UTF-8 byte. A prompt estimated to fit does fit; one that would fit is at
// worst counted a few times too long.

/** Tokens a chat template adds around one turn (start and end markers, the role, newlines), at most. */
const TURN_OVERHEAD = 12;
/** Tokens that open the answer's turn. */
const ANSWER_START = 4;

/** Tokens of a text, counted as bytes. */
export const tokensOf = (text: string): number => Buffer.byteLength(text);

/** Tokens of one turn of a prompt, its template's markers included. */
export const turnTokens = (content: string): number => tokensOf(content) + TURN_OVERHEAD;

/** Tokens left for the answer: a quarter of the context, at least 16 and at most 1,024. */
export const answerRoom = (contextLength: number): number => Math.min(1024, Math.max(16, Math.floor(contextLength / 4)));

/** Tokens a prompt's turns may take in all, leaving room for the answer. */
export const promptBudget = (contextLength: number): number => contextLength - answerRoom(contextLength) - ANSWER_START;

/** What a prompt of these turns needs of a context, room for the answer included. */
export const neededFor = (contextLength: number, turns: readonly string[]): number =>
  turns.reduce((n, t) => n + turnTokens(t), ANSWER_START) + answerRoom(contextLength);

/** The start of `text` in at most `bytes` UTF-8 bytes, cut at a character (and, when near, a word) boundary. */
export function cutToBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let cut = Buffer.from(text)
    .subarray(0, Math.max(0, bytes - 3))
    .toString("utf8")
    .replace(/\uFFFD+$/, "");
  const space = cut.search(/\s\S*$/);
  if (space > cut.length * 0.8) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}
