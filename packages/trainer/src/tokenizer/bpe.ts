import { byteLevelTokenizer, CHATML_TOKENS, type ByteLevelTokenizer } from "@benih/gguf";
import { fromByteChars, toByteChars } from "./byte-level.ts";
import { pretokenize } from "./pretokenize.ts";

/**
 * A byte-level BPE tokenizer that gives the same ids as llama.cpp's "gpt2" tokenizer for the same vocabulary:
 * split on control tokens, pre-tokenize into words, then merge each word's byte characters lowest rank first.
 */
export class BpeTokenizer {
  readonly vocab: ByteLevelTokenizer;
  private readonly ids: Map<string, number>;
  private readonly ranks: Map<string, number>;
  private readonly special: RegExp;
  private readonly cache = new Map<string, number[]>();

  constructor(merges: string[]) {
    this.vocab = byteLevelTokenizer(merges);
    this.ids = new Map();
    this.vocab.tokens.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    this.ranks = new Map(merges.map((m, i) => [m, i]));
    this.special = new RegExp(`(${CHATML_TOKENS.map((t) => t.replace(/[|]/g, "\\|")).join("|")})`);
  }

  /** The tokenizer of a GGUF's vocabulary, where it is laid out as benih's (256 bytes, one token per merge, ChatML). */
  static ofVocabulary(tokens: readonly string[], merges: string[]): BpeTokenizer | undefined {
    const t = new BpeTokenizer(merges);
    return t.vocab.tokens.length === tokens.length && t.vocab.tokens.every((x, i) => x === tokens[i]) ? t : undefined;
  }

  get size(): number {
    return this.vocab.tokens.length;
  }

  idOf(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }

  /** Token ids for `text`; ChatML control tokens in the text become their control ids. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const piece of text.split(this.special)) {
      if (!piece) continue;
      const control = this.ids.get(piece);
      if (control !== undefined && (CHATML_TOKENS as readonly string[]).includes(piece)) {
        out.push(control);
        continue;
      }
      for (const word of pretokenize(piece)) out.push(...this.encodeWord(word));
    }
    return out;
  }

  private encodeWord(word: string): number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    let symbols = toByteChars(word);
    for (;;) {
      let bestRank = Infinity;
      let at = -1;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const r = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          at = i;
        }
      }
      if (at < 0) break;
      const a = symbols[at]!;
      const b = symbols[at + 1]!;
      // Merge every occurrence of this pair, left to right, as llama.cpp does.
      const next: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(symbols[i]!);
      }
      symbols = next;
    }
    const ids = symbols.map((s) => this.idOf(s));
    if (this.cache.size < 100_000) this.cache.set(word, ids);
    return ids;
  }

  decode(ids: number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const t = this.vocab.tokens[id];
      if (t === undefined) throw new Error(`token id ${id} is outside the vocabulary (${this.size})`);
      if (this.vocab.tokenTypes[id] === 3) bytes.push(...new TextEncoder().encode(t));
      else bytes.push(...fromByteChars(t));
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
}
