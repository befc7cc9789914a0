import type { BlockedTerm } from "./profile.ts";

export interface PolicyHit {
  term: string;
  category: string;
  /** Up to 60 characters of the text around the term, for the audit table. */
  excerpt: string;
}

// Case and full-width forms fold one UTF-16 unit to one, so indexes in the folded text are indexes in the
// original: the streaming guard can hold back exactly the characters it has not cleared.
function fold(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const ascii = c >= 0xff01 && c <= 0xff5e ? String.fromCodePoint(c - 0xfee0) : ch;
    const lower = ascii.toLowerCase();
    out += lower.length === ascii.length ? lower : ascii;
  }
  return out;
}

// Scripts written without spaces match anywhere; words in other scripts only as whole words ("ass" must not
// block "class").
const unspaced = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A market's blocked terms, compiled into one matcher. */
export class ContentPolicy {
  private readonly re: RegExp | undefined;
  private readonly byTerm = new Map<string, BlockedTerm>();
  /** Characters the streaming guard holds back: a term may still be arriving. */
  readonly holdBack: number;

  constructor(blocked: readonly BlockedTerm[]) {
    const alternatives: string[] = [];
    for (const b of blocked) {
      const term = fold(b.term.trim());
      if (!term) throw new Error(`blocked term of category "${b.category}" is empty`);
      this.byTerm.set(term, b);
      alternatives.push(unspaced.test(term) ? escape(term) : `(?<![\\p{L}\\p{N}])${escape(term)}(?![\\p{L}\\p{N}])`);
    }
    // Longest first, so a term that contains another is reported as itself.
    alternatives.sort((a, b) => b.length - a.length);
    this.re = alternatives.length ? new RegExp(alternatives.join("|"), "u") : undefined;
    this.holdBack = Math.max(0, ...[...this.byTerm.keys()].map((t) => t.length));
  }

  /** The first blocked term in a complete text. */
  scan(text: string): PolicyHit | undefined {
    return this.find(text, true)?.hit;
  }

  /** A checker for text that arrives in pieces (a streamed answer). */
  guard(): OutputGuard {
    return new OutputGuard(this);
  }

  /** `final`: the text is complete, so a term at its very end is a whole word. */
  find(text: string, final: boolean): { hit: PolicyHit; index: number } | undefined {
    if (!this.re) return undefined;
    const folded = fold(text);
    // The leftmost match: if it is undecided, no decided one can come before it.
    const m = this.re.exec(folded);
    if (!m) return undefined;
    const end = m.index + m[0]!.length;
    // Not final and the term touches the end: the next piece may continue the word. Undecided, not a hit.
    if (!final && end >= folded.length) return undefined;
    const b = this.byTerm.get(m[0]!)!;
    const excerpt = text.slice(Math.max(0, m.index - 20), Math.min(text.length, end + 20));
    return { hit: { term: b.term, category: b.category, excerpt }, index: m.index };
  }
}

/**
 * Passes streamed text through once it is clear of blocked terms: holds back the last few characters (the
 * length of the longest term) until the next piece or the end shows they are not the start of one.
 */
export class OutputGuard {
  private pending = "";
  /** The last emitted characters, so a whole-word check sees what came before the pending text. */
  private before = "";

  constructor(private readonly policy: ContentPolicy) {}

  /** Text now safe to send, or the hit (the pending text is then dropped). */
  push(delta: string): { text: string; hit?: PolicyHit } {
    this.pending += delta;
    const found = this.policy.find(this.before + this.pending, false);
    if (found) return this.block(found.hit);
    let safe = this.pending.length - this.policy.holdBack;
    if (safe <= 0) return { text: "" };
    // Never split a surrogate pair.
    const code = this.pending.charCodeAt(safe - 1);
    if (code >= 0xd800 && code <= 0xdbff) safe--;
    return { text: this.emit(safe) };
  }

  /** At the end of the answer: the rest, or the hit. */
  end(): { text: string; hit?: PolicyHit } {
    const found = this.policy.find(this.before + this.pending, true);
    if (found) return this.block(found.hit);
    return { text: this.emit(this.pending.length) };
  }

  private emit(n: number): string {
    const out = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    this.before = (this.before + out).slice(-2);
    return out;
  }

  private block(hit: PolicyHit) {
    this.pending = "";
    return { text: "", hit };
  }
}
