import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Template } from "@huggingface/jinja";
import type { ChatWrapper, LlamaChat, LlamaContext, LlamaEmbeddingContext, LlamaGrammar, LlamaModel } from "node-llama-cpp";
import { ProviderFailureError } from "../shared/provider-failure.ts";
import type { LlamaCppModelConfig } from "./config.ts";
import { adapterMismatch } from "./adapter-base.ts";
import { contextSizeOf } from "./context-size.ts";
import { getRuntime } from "./runtime.ts";
import { SequencePool } from "./sequence-pool.ts";
import { toolTemplateOf } from "./tool-template.ts";

/** A model in memory, with its context and what every request needs of it. */
export interface Loaded {
  /** The GGUF its weights are from (an adapter's base). */
  file: string;
  model: LlamaModel;
  context: LlamaContext;
  /** Resolved once: resolving it per request (what LlamaChat does by default) cost more than a short answer. */
  chatWrapper: ChatWrapper;
  /** Its chat template, when that renders tool calls: requests with tools are rendered with it. */
  toolTemplate?: Template;
  LlamaChat: typeof LlamaChat;
  pool: SequencePool;
  /** The longest token in bytes: a prompt of n bytes is at least n / this many tokens. */
  maxTokenBytes: number;
  json?: Promise<LlamaGrammar>;
  /** CPU threads its contexts use. */
  threads: number;
  /** A context of its own for embeddings, made on the first embedding request (chat-only models never pay for it). */
  embedding?: Promise<LlamaEmbeddingContext>;
  /** Replaced by a promotion: freed once the requests holding it end; new requests get the model that replaced it. */
  retiring?: boolean;
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

async function loadModel(provider: string, cfg: LlamaCppModelConfig, weights: (path: string) => Promise<LlamaModel>): Promise<Loaded> {
  const { lib } = await getRuntime();
  const fail = (message: string, cause?: unknown) => new ProviderFailureError({ kind: "internal", provider, message, cause });
  const mismatch = cfg.adapter && (await adapterMismatch(cfg.adapter, cfg.path));
  if (mismatch) throw fail(`cannot serve model ${cfg.id}: ${mismatch}`);
  const model = await weights(cfg.path).catch((err: unknown) => {
    throw fail(`cannot load ${cfg.path} for model ${cfg.id}: ${(err as Error).message}`, err);
  });
  const threads = cfg.threads ?? (statSync(cfg.path).size < SMALL_MODEL_BYTES ? 1 : availableParallelism());
  const context = await model
    .createContext({
      sequences: cfg.sequences ?? 4,
      threads,
      contextSize: contextSizeOf(cfg, model.trainContextSize),
      ...(cfg.adapter && { lora: { adapters: [{ filePath: cfg.adapter }] } }),
    })
    .catch((err: unknown) => {
      throw fail(`cannot serve model ${cfg.id}${cfg.adapter ? ` (${cfg.adapter} on ${cfg.path})` : ""}: ${(err as Error).message}`, err);
    });
  const toolTemplate = toolTemplateOf((model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } }).tokenizer?.chat_template);
  return {
    file: cfg.path,
    model,
    context,
    // A template that renders tool calls is not taken for ChatML (or another wrapper) by node-llama-cpp when its
    // calls differ from that wrapper's; plain conversations are compared alone, as they are all LlamaChat is given.
    chatWrapper: lib.resolveChatWrapper(
      model,
      toolTemplate ? { customWrapperSettings: { jinjaTemplate: { functionCallMessageTemplate: "noJinja" } } } : {},
    ),
    ...(toolTemplate && { toolTemplate }),
    LlamaChat: lib.LlamaChat,
    pool: new SequencePool(context),
    maxTokenBytes: longestToken(model),
    threads,
  };
}

/**
 * The provider's models, each loaded once, on first use or preload; a failed load is tried again next time. Models
 * on the same file (a base and its adapters) share its weights: each has a context of its own.
 */
export class LoadedModels {
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly files = new Map<string, Promise<LlamaModel>>();
  /** The models that have loaded, for what is known of them without waiting. */
  private readonly ready = new Map<string, Loaded>();
  private closed = false;

  constructor(private readonly provider: string) {}

  load(cfg: LlamaCppModelConfig): Promise<Loaded> {
    let p = this.loaded.get(cfg.id);
    if (!p) {
      const loading = loadModel(this.provider, cfg, (path) => this.weights(path));
      p = loading;
      // Unless a promotion replaced it meanwhile (then `replace` owns the id, and this one is freed).
      const current = () => this.loaded.get(cfg.id) === loading;
      loading.then((l) => (current() ? this.ready.set(cfg.id, l) : void this.retire(l))).catch(() => {});
      // A failed load is retried on the next request rather than remembered forever.
      loading.catch(() => current() && this.loaded.delete(cfg.id));
      this.loaded.set(cfg.id, p);
    }
    return p;
  }

  /**
   * The model for one request, held until the request calls `letGo`: one replaced meanwhile is not freed under it,
   * and one already being replaced is not handed out.
   */
  async use(cfg: LlamaCppModelConfig): Promise<{ state: Loaded; letGo: () => void }> {
    for (;;) {
      const state = await this.load(cfg);
      if (!state.retiring) return { state, letGo: state.pool.hold() };
    }
  }

  /**
   * Serves `cfg.id` from `cfg`'s files from now on. The new model loads first, so one that cannot load changes
   * nothing; requests under way finish on the one before, which is freed once they have.
   */
  async replace(cfg: LlamaCppModelConfig): Promise<void> {
    const next = await loadModel(this.provider, cfg, (path) => this.weights(path)).catch(async (err: unknown) => {
      await this.dropUnusedWeights(cfg.path);
      throw err;
    });
    const before = this.ready.get(cfg.id);
    this.loaded.set(cfg.id, Promise.resolve(next));
    this.ready.set(cfg.id, next);
    // Marked now, before any request resumes: those that have it hold it, the others load the new one.
    if (before) void this.retire(before);
  }

  private async retire(old: Loaded): Promise<void> {
    old.retiring = true;
    await old.pool.idleNow();
    await old.embedding?.then((e) => e.dispose()).catch(() => {});
    await old.context.dispose();
    await this.dropUnusedWeights(old.file);
  }

  /** Frees a file's weights when no model served uses them any more. */
  private async dropUnusedWeights(path: string): Promise<void> {
    const weights = this.files.get(path);
    if (!weights || [...this.ready.values()].some((l) => l.file === path)) return;
    this.files.delete(path);
    await weights.then((w) => w.dispose()).catch(() => {});
  }

  private weights(path: string): Promise<LlamaModel> {
    let w = this.files.get(path);
    if (!w) {
      w = getRuntime().then(({ llama }) => llama.loadModel({ modelPath: path }));
      w.catch(() => this.files.delete(path));
      this.files.set(path, w);
    }
    return w;
  }

  /** The model, if it has loaded already. */
  loadedNow(id: string): Loaded | undefined {
    return this.ready.get(id);
  }

  /**
   * The model's embedding context: one sequence, evaluated one input at a time (node-llama-cpp locks it), with the
   * chat context's size and threads.
   */
  async embedder(cfg: LlamaCppModelConfig): Promise<{ state: Loaded; embedding: LlamaEmbeddingContext; letGo: () => void }> {
    const { state, letGo } = await this.use(cfg);
    // Closed while it loaded: close() has freed what it found, and must not be outlived by a new context.
    if (this.closed) {
      letGo();
      throw new ProviderFailureError({ kind: "internal", provider: this.provider, message: "the server is shutting down" });
    }
    if (!state.embedding) {
      const made = state.model.createEmbeddingContext({ threads: state.threads, contextSize: state.context.contextSize });
      state.embedding = made;
      made.catch(() => {
        if (state.embedding === made) state.embedding = undefined;
      });
    }
    const embedding = await state.embedding.catch((err: unknown) => {
      letGo();
      throw new ProviderFailureError({
        kind: "unsupported",
        provider: this.provider,
        message: `model ${cfg.id} cannot make embeddings: ${(err as Error).message}`,
        cause: err,
      });
    });
    return { state, embedding, letGo };
  }

  /** Frees every loaded model and its contexts. */
  async close(): Promise<void> {
    this.closed = true;
    const all = await Promise.allSettled(this.loaded.values());
    const files = await Promise.allSettled(this.files.values());
    this.loaded.clear();
    this.ready.clear();
    this.files.clear();
    for (const r of all) {
      if (r.status === "fulfilled") {
        await r.value.embedding?.then((e) => e.dispose()).catch(() => {});
        await r.value.context.dispose();
      }
    }
    for (const f of files) if (f.status === "fulfilled") await f.value.dispose();
  }
}
