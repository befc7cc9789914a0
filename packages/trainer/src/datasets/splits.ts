import { seededRandom } from "@benih/gguf";
import type { Dataset, Example } from "./build.ts";
import type { Lang } from "./facts.ts";

const VALIDATION_SHARE = 0.05;

/** The three splits of a dataset being built, filled by template sets (training phrasings and held-out ones). */
export class Splits implements Dataset {
  train: Example[] = [];
  validation: Example[] = [];
  eval: Example[] = [];
  readonly rnd: () => number;

  constructor(
    readonly name: string,
    seed: number,
  ) {
    this.rnd = seededRandom(seed);
  }

  /**
   * `use` training phrasings (all when 0; the first always among them) to train, about one in twenty of those to
   * validation instead, and `heldOutUse` (1 by default) of the held-out phrasings to eval; a negative count uses
   * none. `make` turns a phrasing into an example.
   */
  add(o: {
    lang: Lang;
    kind: string;
    /** Names a family of phrasings within a kind in the template ("add" in "en/arithmetic/add/train/3"). */
    group?: string;
    train: string[];
    heldOut: string[];
    make: (question: string) => Omit<Example, "lang" | "kind" | "question" | "template">;
    use?: number;
    heldOutUse?: number;
  }): void {
    const { lang, kind } = o;
    const family = o.group ? `${lang}/${kind}/${o.group}` : `${lang}/${kind}`;
    // One phrasing of a problem is any of them; of several, the first (the plainest) is always among them.
    for (const i of this.choose(o.train.length, o.use ?? 0, o.use === 1)) {
      const q = o.train[i]!;
      const ex = { lang, kind, question: q, template: `${family}/train/${i}`, ...o.make(q) };
      (this.rnd() < VALIDATION_SHARE ? this.validation : this.train).push(ex);
    }
    for (const h of this.choose(o.heldOut.length, o.heldOutUse ?? 1, true)) {
      const q = o.heldOut[h]!;
      this.eval.push({ lang, kind, question: q, template: `${family}/heldOut/${h}`, ...o.make(q) });
    }
  }

  /**
   * `n` distinct random indices below `size` (all when `n` is 0 or ≥ `size`, none when negative), with index 0
   * unless `anyFirst`.
   */
  choose(size: number, n: number, anyFirst = false): number[] {
    if (n < 0) return [];
    if (!n || n >= size) return Array.from({ length: size }, (_, i) => i);
    const picked = new Set<number>(anyFirst ? [] : [0]);
    while (picked.size < n) picked.add(Math.floor(this.rnd() * size));
    return [...picked].sort((a, b) => a - b);
  }

  /** `xs` shuffled in place (Fisher–Yates), and returned. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.rnd() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  /**
   * The dataset, its training rows shuffled. A validation row whose question training also asks (the same small
   * numbers drawn twice in the same phrasing) is dropped: it would measure memory, not what was learned.
   */
  done(): Dataset {
    const xs = this.shuffle(this.train);
    const trained = new Set(xs.map((e) => e.question));
    return { name: this.name, train: xs, validation: this.validation.filter((e) => !trained.has(e.question)), eval: this.eval };
  }
}

/** Replaces each `{name}` in a template with its value. */
export const fill = (t: string, vars: Record<string, string | number>) => t.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k]));
