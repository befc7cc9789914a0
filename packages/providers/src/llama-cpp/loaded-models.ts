import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { ChatWrapper, LlamaChat, LlamaContext, LlamaEmbeddingContext, LlamaGrammar, LlamaModel } from "node-llama-cpp";
import { ProviderFailureError } from "../shared/provider-failure.ts";
import type { LlamaCppModelConfig } from "./config.ts";
import { contextSizeOf } from "./context-size.ts";
import { getRuntime } from "./runtime.ts";
import { SequencePool } from "./sequence-pool.ts";

/** A model in memory, with its context and what every request needs of it. */
export interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  /** Resolved once: resolving it per request (what LlamaChat does by default) cost more than a short answer. */
  chatWrapper: ChatWrapper;
  LlamaChat: typeof LlamaChat;
  pool: SequencePool;
  /** The longest token in bytes: a prompt of n bytes is at least n / this many tokens. */
  maxTokenBytes: number;
  json?: Promise<LlamaGrammar>;
  /** CPU threads its contexts use. */
  threads: number;
  /** A context of its own for embeddings, made on the first embedding request (chat-only models never pay for it). */
  embedding?: Promise<LlamaEmbeddingContext>;
}

const SMALL_MODEL_BYTES = 256 * 1024 * 1024;

/** Bytes of the vocabulary's longest token (a few ms for 100k tokens); a generous guess when it is not listed. */
function longestToken(model: LlamaModel): number {
  const tokens = (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: unknown } } }).tokenizer?.ggml?.tokens;
  if (!Array.isArray(tokens)) return 256;
  let max = 1;
  for (let i = 0; i < tokens.length; i++) max = Math.max(max, Buffer.byteLength(model.detokenize([i as never], true)));
  return max;
}

async function loadModel(provider: string, cfg: LlamaCppModelConfig): Promise<Loaded> {
  const { llama, lib } = await getRuntime();
  const model = await llama.loadModel({ modelPath: cfg.path }).catch((err: unknown) => {
    throw new ProviderFailureError({
      kind: "internal",
      provider,
      message: `cannot load ${cfg.path} for model ${cfg.id}: ${(err as Error).message}`,
      cause: err,
    });
  });
  const threads = cfg.threads ?? (statSync(cfg.path).size < SMALL_MODEL_BYTES ? 1 : availableParallelism());
  const context = await model.createContext({
    sequences: cfg.sequences ?? 4,
    threads,
    contextSize: contextSizeOf(cfg, model.trainContextSize),
  });
  return {
    model,
    context,
    chatWrapper: lib.resolveChatWrapper(model),
    LlamaChat: lib.LlamaChat,
    pool: new SequencePool(context),
    maxTokenBytes: longestToken(model),
    threads,
  };
}

/** The provider's models, each loaded once, on first use or preload; a failed load is tried again next time. */
export class LoadedModels {
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private closed = false;

  constructor(private readonly provider: string) {}

  load(cfg: LlamaCppModelConfig): Promise<Loaded> {
    let p = this.loaded.get(cfg.id);
    if (!p) {
      p = loadModel(this.provider, cfg);
      // A failed load is retried on the next request rather than remembered forever.
      p.catch(() => this.loaded.delete(cfg.id));
      this.loaded.set(cfg.id, p);
    }
    return p;
  }

  /**
   * The model's embedding context: one sequence, evaluated one input at a time (node-llama-cpp locks it), with the
   * chat context's size and threads.
   */
  async embedder(cfg: LlamaCppModelConfig): Promise<{ state: Loaded; embedding: LlamaEmbeddingContext }> {
    const state = await this.load(cfg);
    // Closed while it loaded: close() has freed what it found, and must not be outlived by a new context.
    if (this.closed) throw new ProviderFailureError({ kind: "internal", provider: this.provider, message: "the server is shutting down" });
    if (!state.embedding) {
      const made = state.model.createEmbeddingContext({ threads: state.threads, contextSize: state.context.contextSize });
      state.embedding = made;
      made.catch(() => {
        if (state.embedding === made) state.embedding = undefined;
      });
    }
    const embedding = await state.embedding.catch((err: unknown) => {
      throw new ProviderFailureError({
        kind: "unsupported",
        provider: this.provider,
        message: `model ${cfg.id} cannot make embeddings: ${(err as Error).message}`,
        cause: err,
      });
    });
    return { state, embedding };
  }

  /** Frees every loaded model and its contexts. */
  async close(): Promise<void> {
    this.closed = true;
    const all = await Promise.allSettled(this.loaded.values());
    this.loaded.clear();
    for (const r of all) {
      if (r.status === "fulfilled") {
        await r.value.embedding?.then((e) => e.dispose()).catch(() => {});
        await r.value.context.dispose();
        await r.value.model.dispose();
      }
    }
  }
}
