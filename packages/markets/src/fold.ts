/**
 * Text as the content policy compares it: NFKC, lower case, format characters and variation selectors removed,
 * every run of white space one space. `at[i]` is the index in the original text of the character that folded
 * unit `i` came from, so a match can be reported, and a stream cut, in the original's terms.
 */
export interface Folded {
  text: string;
  /** Original index of each folded unit; undefined when the fold kept every index (at[i] = i). */
  at: Int32Array | undefined;
}

/** The original index of folded unit `i` (i = folded length: the original's length). */
export function originalIndex(f: Folded, i: number, original: string): number {
  if (i >= f.text.length) return original.length;
  return f.at ? f.at[i]! : i;
}

// What a character does in the fold. UNKNOWN: not classified yet (the table fills in as characters are seen).
const UNKNOWN = 0;
/** Kept as it is, lower-cased, one unit to one: NFKC leaves it alone and its lower case is one unit. */
const KEEP = 1;
/** Removed: format characters (zero-width space and joiners, soft hyphen, word joiner, BOM…), variation selectors. */
const DROP = 2;
const SPACE = 3;
/** Continues the character before it: combining marks, Hangul vowel and final jamo, half-width sound marks. */
const MARK = 4;
/** Everything else: normalised with what follows it. */
const NORMALIZE = 5;
/** Marks normalised with one starter (Unicode's stream-safe limit). */
const MAX_MARKS = 30;

const kinds = new Uint8Array(0x10000);
for (let c = 0; c < 0x80; c++) kinds[c] = c === 0x20 || (c >= 0x09 && c <= 0x0d) ? SPACE : KEEP;
// A lone surrogate stays as it is; a pair is classified as the code point it makes.
kinds.fill(KEEP, 0xd800, 0xe000);

const dropRe = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/uy;
const dropAll = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/** The text without the characters folding removes (zero-width, joiners, variation selectors…). */
export const withoutIgnorable = (text: string) => text.replace(dropAll, "");
const spaceRe = /\p{White_Space}/uy;
// Hangul jamo vowels and finals compose with the syllable before them; half-width katakana sound marks become
// combining marks under NFKC. Both must be normalised together with the character they follow.
const markRe = /[\p{M}\u1160-\u11FF\uD7B0-\uD7FF\uFF9E\uFF9F]/uy;

function test(re: RegExp, text: string, i: number): boolean {
  re.lastIndex = i;
  return re.test(text);
}

function classify(text: string, i: number, cp: number): number {
  if (test(dropRe, text, i)) return DROP;
  if (test(spaceRe, text, i)) return SPACE;
  if (test(markRe, text, i)) return MARK;
  // Σ lower-cases by context (final σ/ς), and ς is folded to σ: both go through the slow path.
  if (cp > 0xffff || cp === 0x3a3 || cp === 0x3c2) return NORMALIZE;
  const ch = String.fromCharCode(cp);
  return ch.normalize("NFKC") === ch && ch.toLowerCase().length === 1 ? KEEP : NORMALIZE;
}

const isHigh = (c: number) => (c & 0xfc00) === 0xd800;
const isLow = (c: number) => (c & 0xfc00) === 0xdc00;

function widthAt(text: string, i: number): number {
  return isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
}

/** Kinds of characters beyond the BMP seen so far (emoji, mathematical letters); bounded, input is untrusted. */
const astral = new Map<number, number>();

function kindAt(text: string, i: number, w: number): number {
  const c = text.charCodeAt(i);
  if (w === 1) {
    const k = kinds[c]!;
    if (k !== UNKNOWN) return k;
    return (kinds[c] = classify(text, i, c));
  }
  const cp = text.codePointAt(i)!;
  let k = astral.get(cp);
  if (k === undefined) {
    k = classify(text, i, cp);
    if (astral.size < 4096) astral.set(cp, k);
  }
  return k;
}

/** Folds of single characters on the slow path, so repeated ones cost a lookup. Bounded: input is untrusted. */
const single = new Map<number, string>();

function normalizeSegment(s: string): string {
  const cp = s.length <= 2 ? s.codePointAt(0)! : -1;
  if (cp >= 0 && s.length === (cp > 0xffff ? 2 : 1)) {
    const hit = single.get(cp);
    if (hit !== undefined) return hit;
    const f = foldString(s);
    if (single.size < 4096) single.set(cp, f);
    return f;
  }
  return foldString(s);
}

function foldString(s: string): string {
  const f = s.normalize("NFKC").toLowerCase();
  return f.includes("ς") ? f.replaceAll("ς", "σ") : f;
}

// Plain ASCII without tabs, newlines or double spaces folds to its lower case, index for index.
const notPlain = /[^\x20-\x7e]| {2}/;

export function fold(text: string): Folded {
  if (!notPlain.test(text)) return { text: text.toLowerCase(), at: undefined };
  return new Folder(text).run();
}

/**
 * Walks the text once. Characters that are kept as they are gather in runs copied with one slice; `at` is only
 * allocated once the first unit lands at another index than it had (a removed character, a space run, an
 * expansion).
 */
class Folder {
  private out = "";
  private len = 0;
  private at: Int32Array | undefined;
  private runStart = 0;
  private runEnd = 0;
  private lastSpace = false;

  constructor(private readonly text: string) {}

  run(): Folded {
    const { text } = this;
    const n = text.length;
    for (let i = 0; i < n; ) {
      const w = widthAt(text, i);
      const kind = kindAt(text, i, w);
      if (kind === DROP) {
        i += w;
        continue;
      }
      if (kind === SPACE) {
        if (!this.lastSpace) {
          if (text.charCodeAt(i) === 0x20) this.keep(i, 1);
          else this.add(" ", i);
          this.lastSpace = true;
        }
        i += w;
        continue;
      }
      // A starter and the marks after it (removed characters between them are skipped): one segment. At most 30
      // marks, as in Unicode's stream-safe format: normalising a long run of marks costs its length squared, and
      // no real text stacks more.
      let end = i + w;
      for (let j = end, marks = 0; j < n && marks < MAX_MARKS; ) {
        const wj = widthAt(text, j);
        const k = kindAt(text, j, wj);
        if (k === MARK) (end = j += wj), marks++;
        else if (k === DROP) j += wj;
        else break;
      }
      if (kind === KEEP && end === i + w) {
        this.keep(i, w);
        this.lastSpace = false;
      } else this.segment(i, end);
      i = end;
    }
    this.flush();
    return { text: this.out, at: this.at };
  }

  private keep(i: number, w: number): void {
    if (this.runEnd !== i) {
      this.flush();
      this.runStart = i;
    }
    this.runEnd = i + w;
  }

  private flush(): void {
    if (this.runEnd === this.runStart) return;
    const s = this.text.slice(this.runStart, this.runEnd).toLowerCase();
    if (this.at || this.len !== this.runStart) {
      const at = this.reserve(s.length);
      for (let k = 0; k < s.length; k++) at[this.len + k] = this.runStart + k;
    }
    this.out += s;
    this.len += s.length;
    this.runStart = this.runEnd;
  }

  private segment(i: number, end: number): void {
    this.flush();
    let s = this.text.slice(i, end);
    if (end - i > 1) {
      // Drop removed characters between the starter and its marks.
      let kept = "";
      for (let j = i; j < end; ) {
        const w = widthAt(this.text, j);
        if (kindAt(this.text, j, w) !== DROP) kept += this.text.slice(j, j + w);
        j += w;
      }
      s = kept;
    }
    const f = normalizeSegment(s);
    // NFKC may yield spaces (¨ → space + diaeresis) or removed characters (half-width Hangul filler).
    for (let k = 0; k < f.length; k++) {
      const c = f.charCodeAt(k);
      const kind = isHigh(c) || isLow(c) ? KEEP : kindAt(f, k, 1);
      if (kind === SPACE || kind === DROP) {
        this.addSlow(f, i);
        return;
      }
    }
    this.add(f, i);
    this.lastSpace = false;
  }

  private addSlow(f: string, i: number): void {
    for (let k = 0; k < f.length; k++) {
      const c = f.charCodeAt(k);
      const kind = isHigh(c) || isLow(c) ? KEEP : kindAt(f, k, 1);
      if (kind === DROP) continue;
      if (kind === SPACE) {
        if (this.lastSpace) continue;
        this.add(" ", i);
        this.lastSpace = true;
        continue;
      }
      this.add(f[k]!, i);
      this.lastSpace = false;
    }
  }

  /** Appends units that all come from the character at original index `i`. */
  private add(s: string, i: number): void {
    if (!s) return;
    this.flush();
    if (this.at || s.length !== 1 || this.len !== i) {
      const at = this.reserve(s.length);
      at.fill(i, this.len, this.len + s.length);
    }
    this.out += s;
    this.len += s.length;
  }

  /** The index map with room for `extra` more units; on first use it records the identity so far. */
  private reserve(extra: number): Int32Array {
    const need = this.len + extra;
    if (this.at && this.at.length >= need) return this.at;
    const next = new Int32Array(Math.max(need, this.text.length + 16, (this.at?.length ?? 0) * 2));
    if (this.at) next.set(this.at.subarray(0, this.len));
    else for (let k = 0; k < this.len; k++) next[k] = k;
    return (this.at = next);
  }
}
