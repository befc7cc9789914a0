import { EmbeddingConflictError, type KnowledgeStore, SHARED } from "@benih/store";
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
  /** Whom the document belongs to: its calls are charged to them (SHARED and null: the server's own). */
  owner: string | null;
  passages: Array<{ id: number; text: string; ownerTag: string }>;
  failed?: boolean;
}

/**
 * A failure that is no answer about these passages: the gateway not reached (or closing: its 503 without an error
 * code), or a rate limit.
 */
const transient = (err: unknown) => !(err instanceof ModelError) || err.status === 429 || (err.status === 503 && !err.code);

/**
 * A refusal about whom the work is for, not the documents nor the model: the owner's quota is spent, or there is no
 * such person (disabled). Their documents wait for the next run; others' go on.
 */
const ownersRefusal = (err: unknown) =>
  err instanceof ModelError &&
  ((err.status === 429 && err.code === "insufficient_quota") || (err.status === 403 && err.code === "on_behalf_of_unknown"));

/**
 * A refusal about the model, whatever is sent: unknown or not allowed in the market (404), not an embedding model,
 * the upstream's or this server's credentials (401, 403). Nothing more can be embedded with it until the
 * configuration changes; the next run tries again.
 */
const configurationError = (err: unknown) =>
  err instanceof ModelError &&
  !ownersRefusal(err) &&
  (err.status === 401 || err.status === 403 || err.status === 404 || (err.status === 400 && err.code === "model_not_supported"));

const describeError = (err: Error) =>
  err instanceof ModelError ? `${err.status}${err.code ? ` ${err.code}` : ""}: ${err.message}` : err.message;

/** The shortest cut of a passage tried when a model refuses inputs as too long (small local models take 127 tokens). */
const SHORTEST_CUT = 64;

/**
 * Embeds a store's passages with a model, oldest documents first, a batch of passages at a time: each batch's
 * vectors are stored with its documents' progress, so a stopped run (a restart) goes on where it was, and the
 * passages already embedded are searched by meaning meanwhile. One run per store at a time in this process; a kick
 * during a run makes it look again when done.
 *
 * Each batch holds one owner's documents, and its call is made for them (`onBehalfOf`): their quotas, usage and
 * request log count it; shared documents are the server's own. A failed call marks its documents failed (their
 * passages stay searchable by keywords; `retryEmbedding` lets them be tried again) and ends the run; a document
 * refused for what it holds (400) fails alone. Refusals that are not the documents' pause them instead, saying why,
 * and they are tried again at the next run: an owner's spent quota stops that owner's documents for the run, and a
 * refusal of the model itself (unknown, not allowed, credentials) ends the run, logged once.
 */
export class KnowledgeEmbedder {
  private readonly batch: number;
  private readonly running = new Map<KnowledgeStore, { again: boolean; done: Promise<void> }>();
  /** Characters of a passage each model takes, learned from its refusals. */
  private readonly cuts = new Map<string, number>();
  /** Why a model's (or an owner's) work waits, as last logged: logged again only when it changes, or after it cleared. */
  private readonly reported = new Map<string, string>();
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
    /** Owners whose work stopped for this run (their quota spent): their documents wait for the next. */
    const stopped = new Set<string | null>();
    const waits = (d: { id: string; owner: string | null }) => skip.has(d.id) || stopped.has(d.owner);
    // Documents are read once a run, oldest first, a batch's worth at a time; their passages are sent a batch at a
    // time across one owner's documents (most documents are shorter than a batch).
    let after: { createdAt: number; id: string } | undefined;
    while (!this.stopping.signal.aborted) {
      const listed = await store.toEmbed(model, this.batch, after);
      if (!listed.length) return;
      after = listed.at(-1)!;
      let queue: Work[] = listed.filter((d) => !waits(d)).map((d) => ({ ...d, passages: [] }));
      while (queue.length) {
        const owner = queue[0]!.owner;
        const as = forOwner(caller, owner);
        let room = this.batch;
        const batch: Work[] = [];
        for (const d of queue) {
          if (!room) break;
          if (d.owner !== owner) continue;
          d.passages = await store.passagesFrom(d.id, d.done, room);
          // A document with fewer passages than it says (none left): nothing to send.
          if (!d.passages.length) d.total = d.done;
          else batch.push(d);
          room -= d.passages.length;
        }
        if (batch.length) {
          try {
            await this.embedAndStore(store, model, as, batch);
          } catch (err) {
            if (this.stopping.signal.aborted) return;
            if (err instanceof EmbeddingConflictError) skip.add(err.documentId);
            else if (ownersRefusal(err)) {
              // Not the documents' fault nor the model's: this owner's wait, saying why; the others' go on.
              for (const d of batch) await this.paused(store, model, d, err as Error);
              stopped.add(owner);
              this.reportOnce(
                `${model}\0${owner}`,
                err as Error,
                `embedding ${owner}'s documents with ${model} waits for the next run (said again only if the reason changes)`,
              );
            } else if (configurationError(err)) {
              // The model cannot be used at all: every other document would be refused alike. Those sent say why,
              // the rest wait, and the next run tries again.
              for (const d of batch) await this.paused(store, model, d, err as Error);
              this.reportOnce(
                model,
                err as Error,
                `embedding with ${model} is stopped until its configuration is fixed (tried again every run)`,
              );
              return;
            }
            // Refused for what one of them holds (a blocked term, too long): each alone, so the others go on.
            else if (err instanceof ModelError && err.status === 400 && batch.length > 1) {
              for (const d of batch)
                await this.embedAndStore(store, model, as, [d]).catch(async (e: Error) => {
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
        queue = queue.filter((d) => d.done < d.total && !waits(d) && !d.failed);
      }
    }
  }

  /** Logs why work waits (a model's configuration, an owner's refusal), once until the reason changes or it works again. */
  private reportOnce(key: string, err: Error, what: string): void {
    const why = describeError(err);
    if (this.reported.get(key) === why) return;
    this.reported.set(key, why);
    this.o.log?.(`${what}: ${why}`, err);
  }

  /** Records why a document waits for the next run (not its fault); a run stopped with the server records nothing. */
  private async paused(store: KnowledgeStore, model: string, d: Work, err: Error): Promise<void> {
    d.failed = true;
    if (this.stopping.signal.aborted) return;
    await store.embeddingPaused(d.id, model, describeError(err));
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
    this.reported.delete(model);
    this.reported.delete(`${model}\0${batch[0]?.owner}`);
  }

  private async failed(store: KnowledgeStore, model: string, d: Work, err: Error): Promise<void> {
    d.failed = true;
    if (this.stopping.signal.aborted) return;
    const why = describeError(err);
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

/** The caller a batch of `owner`'s documents is embedded as: for that person, or the server itself for shared ones. */
const forOwner = (caller: Caller, owner: string | null): Caller =>
  owner === null || owner === SHARED ? caller : { ...caller, onBehalfOf: owner };
