/**
 * Batches of training windows from one token stream (with a loss weight per token), drawn by a seeded generator
 * whose whole state is one number: saving it in a checkpoint makes a resumed run draw exactly the same batches.
 * Given where examples start, windows start only there: an answer late in a long example (a question over
 * passages) is then trained with its whole prompt in view, not from a window that cut the passages off.
 */
export class DataLoader {
  /** mulberry32 state: the only thing that changes as batches are drawn. */
  state: number;
  private readonly starts?: Int32Array;

  constructor(
    private readonly tokens: Int32Array,
    private readonly weights: Float32Array,
    readonly B: number,
    readonly T: number,
    seed: number,
    starts?: Int32Array,
  ) {
    if (tokens.length !== weights.length) throw new Error("every token needs a loss weight");
    if (tokens.length < T + 1) throw new Error(`the dataset has ${tokens.length} tokens; a window needs ${T + 1}`);
    this.state = seed >>> 0;
    // Example starts that leave a whole window after them.
    this.starts = starts?.filter((s) => s + T + 1 <= tokens.length);
    if (this.starts && !this.starts.length) throw new Error(`no example starts ${T + 1} tokens before the dataset's end`);
  }

  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Inputs, next-token targets and their loss weights, each [B][T]. */
  next(): { tokens: Int32Array; targets: Int32Array; weights: Float32Array } {
    const { B, T } = this;
    const tokens = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    const weights = new Float32Array(B * T);
    const span = this.tokens.length - T - 1;
    for (let b = 0; b < B; b++) {
      const pick = this.random();
      const start = this.starts ? this.starts[Math.floor(pick * this.starts.length)]! : Math.floor(pick * (span + 1));
      tokens.set(this.tokens.subarray(start, start + T), b * T);
      targets.set(this.tokens.subarray(start + 1, start + T + 1), b * T);
      weights.set(this.weights.subarray(start + 1, start + T + 1), b * T);
    }
    return { tokens, targets, weights };
  }
}
