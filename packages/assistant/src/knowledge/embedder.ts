import { EmbeddingConflictError, type KnowledgeStore } from "@benih/store";
import { type Caller, type EmbedOptions, ModelError } from "../model-client.ts";

export interface KnowledgeEmbedderOptions {
  client: { embed(o: EmbedOptions): Promise<Float32Array[]> };
  /** Passages per call to /v1/embeddings (the gateway takes 2,048 inputs and 4 MiB; passages are about 900 characters). */
  batch?: number;
  log?: (message: string, err?: Error) => void;
}

/** A document being embedded in a run: its progress, and the passages of it in the batch being sent. */
interface Work {
  id: string;
  done: number;
  total: number;
  passages: Array<{ id: number; text: string; ownerTag: string }>;
  failed?: boolean;
}

/**
 * A failure that is no answer about these passages: the gateway not reached (or closing: its 503 without an error
 * code), or a rate limit.
 */
const transient = (err: unknown) => !(err instanceof ModelError) || err.status === 429 || (err.status === 503 && !err.code);

/** The shortest cut of a passage tried when a model refuses inputs as too long (small local models take 127 tokens). */
const SHORTEST_CUT = 64;

/**
 * Embeds a store's passages with a model, oldest documents first, a batch of passages at a time: each batch's
 * vectors are stored with its documents' progress, so a stopped run (a restart) goes on where it was, and the
 * passages already embedded are searched by meaning meanwhile. One run per store at a time in this process; a kick
 * during a run makes it look again when done. A failed call marks its documents failed (their passages stay
 * searchable by keywords; `retryEmbedding` lets them be tried again) and ends the run; a document refused for what
 * it holds (400) fails alone.
 */
export class KnowledgeEmbedder {
  private readonly batch: number;
  private readonly running = new Map<KnowledgeStore, { again: boolean; done: Promise<void> }>();
  /** Characters of a passage each model takes, learned from its refusals. */
  private readonly cuts = new Map<string, number>();
  /** Aborted by `stop`: a run stopped with the server is not a failure, and resumes when it starts again. */
  private readonly stopping = new AbortController();
  constructor(private readonly o: KnowledgeEmbedderOptions) {
    this.batch = o.batch ?? 64;
  }

  /** Ends the runs under way (their last batch is not stored, nor marked failed); resolves when they have ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.running.values()].map((r) => r.done.catch(() => {})));
  }

  /** Starts embedding what `store` lacks of `model`, unless a run is on (then it looks again after); resolves when done. */
  kick(store: KnowledgeStore, model: string, caller: Caller): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    const run = this.running.get(store);
    if (run) {
      run.again = true;
      return run.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await this.drain(store, model, caller);
        } while (state.again);
      } finally {
        this.running.delete(store);
      }
    })();
    this.running.set(store, state);
    return state.done;
  }

  private async drain(store: KnowledgeStore, model: string, caller: Caller): Promise<void> {
    const skip = new Set<string>();
    // Documents are read once a run, oldest first, a batch's worth at a time; their passages are sent a batch at a
    // time across documents (most documents are shorter than a batch).
    let after: { createdAt: number; id: string } | undefined;
    while (!this.stopping.signal.aborted) {
      const listed = await store.toEmbed(model, this.batch, after);
      if (!listed.length) return;
      after = listed.at(-1)!;
      let queue: Work[] = listed.filter((d) => !skip.has(d.id)).map((d) => ({ ...d, passages: [] }));
      while (queue.length) {
        let room = this.batch;
        const batch: Work[] = [];
        for (const d of queue) {
          if (!room) break;
          d.passages = await store.passagesFrom(d.id, d.done, room);
          // A document with fewer passages than it says (none left): nothing to send.
          if (!d.passages.length) d.total = d.done;
          else batch.push(d);
          room -= d.passages.length;
        }
        if (batch.length) {
          try {
            await this.embedAndStore(store, model, caller, batch);
          } catch (err) {
            if (this.stopping.signal.aborted) return;
            if (err instanceof EmbeddingConflictError) skip.add(err.documentId);
            // Refused for what one of them holds (a blocked term, too long): each alone, so the others go on.
            else if (err instanceof ModelError && err.status === 400 && batch.length > 1) {
              for (const d of batch)
                await this.embedAndStore(store, model, caller, [d]).catch(async (e: Error) => {
                  if (e instanceof EmbeddingConflictError) skip.add(d.id);
                  else await this.failed(store, model, d, e);
                });
            } else if (transient(err)) {
              // Not the model's answer (this server going away, a rate limit): tried again at the next run.
              this.o.log?.(`embedding with ${model} stopped for now: ${(err as Error).message}`, err as Error);
              return;
            } else {
              // The model failed: these documents say so; the rest wait for the next run.
              for (const d of batch) await this.failed(store, model, d, err as Error);
              return;
            }
          }
        }
        queue = queue.filter((d) => d.done < d.total && !skip.has(d.id) && !d.failed);
      }
    }
  }

  private async embedAndStore(store: KnowledgeStore, model: string, caller: Caller, batch: Work[]): Promise<void> {
    const vectors = await this.embed(
      model,
      batch.flatMap((d) => d.passages.map((p) => p.text)),
      caller,
    );
    let i = 0;
    await store.addVectors(
      model,
      batch.map((d) => ({
        documentId: d.id,
        from: d.done,
        vectors: d.passages.map((p) => ({ chunkId: p.id, ownerTag: p.ownerTag, vector: vectors[i++]! })),
      })),
    );
    for (const d of batch) d.done += d.passages.length;
  }

  private async failed(store: KnowledgeStore, model: string, d: Work, err: Error): Promise<void> {
    d.failed = true;
    if (this.stopping.signal.aborted) return;
    const why = err instanceof ModelError ? `${err.status}${err.code ? ` ${err.code}` : ""}: ${err.message}` : err.message;
    await store.embeddingFailed(d.id, model, why);
    this.o.log?.(`embedding document ${d.id} with ${model} failed after ${d.done} of ${d.total} passages: ${why}`, err);
  }

  /** The texts' vectors; a model that refuses them as too long gets them cut, halving until it takes them. */
  private async embed(model: string, texts: string[], caller: Caller): Promise<Float32Array[]> {
    for (;;) {
      const cut = this.cuts.get(model);
      try {
        return await this.o.client.embed({
          model,
          input: cut ? texts.map((t) => t.slice(0, cut)) : texts,
          caller,
          signal: this.stopping.signal,
        });
      } catch (err) {
        const longest = Math.max(...texts.map((t) => t.length));
        const tooLong = err instanceof ModelError && err.status === 400 && err.code === "context_length_exceeded";
        if (!tooLong || (cut ?? longest) <= SHORTEST_CUT) throw err;
        this.cuts.set(model, Math.max(SHORTEST_CUT, Math.floor((cut ?? longest) / 2)));
      }
    }
  }
}
