import { fold, originalIndex, withoutIgnorable, type Folded } from "./fold.ts";
import type { PolicyHit } from "@benih/contracts";
import type { BlockedTerm } from "./profile.ts";

export type { PolicyHit };

// Scripts written without spaces match anywhere; words in other scripts only as whole words ("ass" must not
// block "class").
const unspaced = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A market's blocked terms, compiled into one matcher. */
export class ContentPolicy {
  private readonly re: RegExp | undefined;
  private readonly byTerm = new Map<string, BlockedTerm>();
  /** Folded characters the streaming guard holds back (the longest folded term): a term may still be arriving. */
  readonly holdBack: number;

  constructor(blocked: readonly BlockedTerm[]) {
    // Terms are folded as the text is, so "b\u200Bad", "bad  word" or "ＢＡＤ" in a configuration mean what they show.
    for (const b of blocked) {
      const term = fold(b.term).text.trim();
      if (!term) throw new Error(`blocked term of category "${b.category}" is empty`);
      this.byTerm.set(term, b);
    }
    // Longest first, so a term that contains another is reported as itself.
    const terms = [...this.byTerm.keys()].sort((a, b) => b.length - a.length);
    const alternatives = terms.map((t) => (unspaced.test(t) ? escapeRegExp(t) : `(?<![\\p{L}\\p{N}])${escapeRegExp(t)}(?![\\p{L}\\p{N}])`));
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

  /**
   * The first blocked term, with its index in `text`. `final`: the text is complete, so a term at its very end
   * is a whole word.
   */
  find(text: string, final: boolean): { hit: PolicyHit; index: number } | undefined {
    return this.re ? this.findIn(text, fold(text), final) : undefined;
  }

  /** `find` on text already folded (the guard needs the fold too). */
  findIn(text: string, folded: Folded, final: boolean): { hit: PolicyHit; index: number } | undefined {
    if (!this.re) return undefined;
    // The leftmost match: if it is undecided, no decided one can come before it.
    const m = this.re.exec(folded.text);
    if (!m) return undefined;
    const end = m.index + m[0]!.length;
    // Not final and the term touches the end: the next piece may continue the word. Undecided, not a hit.
    if (!final && end >= folded.text.length) return undefined;
    const b = this.byTerm.get(m[0]!)!;
    const start = originalIndex(folded, m.index, text);
    const stop = originalIndex(folded, end, text);
    const excerpt = text.slice(Math.max(0, start - 20), Math.min(text.length, stop + 20));
    return { hit: { term: b.term, category: b.category, excerpt }, index: start };
  }
}

/**
 * Passes streamed text through once it is clear of blocked terms: holds back the text that folds to the last few
 * characters (the length of the longest folded term) until the next piece or the end shows they are not the
 * start of one. Zero-width characters inside a term arriving are held with it: they fold to nothing.
 */
const MAX_PENDING = 4096;

export class OutputGuard {
  private pending = "";
  /** The last folded character emitted, so a whole-word check sees what came before the pending text. */
  private before = "";

  constructor(private readonly policy: ContentPolicy) {}

  /** Text now safe to send, or the hit (the pending text is then dropped). */
  push(delta: string): { text: string; hit?: PolicyHit } {
    this.pending += delta;
    // Characters that fold to nothing never let the held text reach the length it is released at; thousands of
    // them in a row (no real answer has that) would make every piece cost the whole backlog, so they are dropped.
    if (this.pending.length > MAX_PENDING) this.pending = withoutIgnorable(this.pending);
    const text = this.before + this.pending;
    const folded = fold(text);
    const found = this.policy.findIn(text, folded, false);
    if (found) return this.block(found.hit);
    // A term still arriving starts at folded index `keep` or later. Cutting at the start of the character that
    // unit came from sends only characters that fold to what lies before it, and never half a surrogate pair
    // or a character whose combining marks may still come.
    const keep = folded.text.length - this.policy.holdBack;
    if (keep <= 0) return { text: "" };
    let safe = originalIndex(folded, keep, text) - this.before.length;
    if (safe <= 0) return { text: "" };
    const code = this.pending.charCodeAt(safe - 1);
    if (code >= 0xd800 && code <= 0xdbff) safe--;
    const out = this.pending.slice(0, safe);
    this.pending = this.pending.slice(safe);
    // Keep the last folded code point before the cut (the cut is at the start of the character that folded
    // unit `keep` came from, which may have folded to several units): folding it again gives it back.
    let cut = keep;
    while (cut > 0 && folded.at && folded.at[cut - 1] === folded.at[keep]) cut--;
    const last = cut >= 2 && (folded.text.charCodeAt(cut - 1) & 0xfc00) === 0xdc00 ? cut - 2 : cut - 1;
    this.before = last >= 0 ? folded.text.slice(last, cut) : "";
    return { text: out };
  }

  /** At the end of the answer: the rest, or the hit. */
  end(): { text: string; hit?: PolicyHit } {
    const found = this.policy.find(this.before + this.pending, true);
    if (found) return this.block(found.hit);
    const out = this.pending;
    this.pending = "";
    return { text: out };
  }

  private block(hit: PolicyHit) {
    this.pending = "";
    return { text: "", hit };
  }
}
