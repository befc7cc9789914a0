import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";

/**
 * Hands out the context's sequences, one per concurrent request, and queues requests when all are busy. A
 * sequence keeps its tokens between requests, so a follow-up turn that lands on it reuses the shared prefix.
 */
export class SequencePool {
  private readonly idle: LlamaContextSequence[] = [];
  private readonly waiting: Array<(s: LlamaContextSequence) => void> = [];
  /** Sequences handed out and not yet released, and who waits for none to be. */
  private lent = 0;
  private readonly whenNoneLent: Array<() => void> = [];

  constructor(private readonly context: LlamaContext) {}

  async acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    const free = this.idle.pop() ?? (this.context.sequencesLeft > 0 ? this.context.getSequence() : undefined);
    if (free) {
      this.lent++;
      return free;
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      const grant = (s: LlamaContextSequence) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(s);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(sequence: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) {
      next(sequence); // handed on: still lent
      return;
    }
    this.idle.push(sequence);
    this.unlend();
  }

  /**
   * Counts a request that will use the context, from before it waits for a sequence until the returned function is
   * called (once; later calls do nothing): a model being replaced is not freed under it.
   */
  hold(): () => void {
    this.lent++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.unlend();
    };
  }

  private unlend(): void {
    if (--this.lent === 0) for (const done of this.whenNoneLent.splice(0)) done();
  }

  /** Resolves once no request holds a sequence or the context (a model being replaced is freed then). */
  idleNow(): Promise<void> {
    return this.lent === 0 ? Promise.resolve() : new Promise((resolve) => this.whenNoneLent.push(resolve));
  }

  get queued(): number {
    return this.waiting.length;
  }
}
