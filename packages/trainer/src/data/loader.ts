/**
 * Batches of training windows from one token stream (with a loss weight per token), drawn by a seeded generator
 * whose whole state is one number: saving it in a checkpoint makes a resumed run draw exactly the same batches.
 */
export class DataLoader {
  /** mulberry32 state: the only thing that changes as batches are drawn. */
  state: number;

  constructor(
    private readonly tokens: Int32Array,
    private readonly weights: Float32Array,
    readonly B: number,
    readonly T: number,
    seed: number,
  ) {
    if (tokens.length !== weights.length) throw new Error("every token needs a loss weight");
    if (tokens.length < T + 1) throw new Error(`the dataset has ${tokens.length} tokens; a window needs ${T + 1}`);
    this.state = seed >>> 0;
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
      const start = Math.floor(this.random() * (span + 1));
      tokens.set(this.tokens.subarray(start, start + T), b * T);
      targets.set(this.tokens.subarray(start + 1, start + T + 1), b * T);
      weights.set(this.weights.subarray(start + 1, start + T + 1), b * T);
    }
    return { tokens, targets, weights };
  }
}
