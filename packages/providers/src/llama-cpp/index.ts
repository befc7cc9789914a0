import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import type { CallOptions, ChatModel, FinishReason, ModelInfo, Provider, StreamPart, StreamResult } from "@benih/spec";
import type { ChatWrapper, LlamaChat, LlamaContext, LlamaGrammar, LlamaModel } from "node-llama-cpp";
import { collectStream } from "../shared/collect-stream.ts";
import { ProviderFailureError, failureFromThrown } from "../shared/provider-failure.ts";
import { getRuntime } from "./runtime.ts";
import { SequencePool } from "./sequence-pool.ts";
import { toChatHistory } from "./to-chat-history.ts";

export interface LlamaCppModelConfig {
  /** The id clients use, e.g. "benih-tiny-global". */
  id: string;
  /** Path of the GGUF file. */
  path: string;
  /** Tokens per sequence; defaults to the model's training context, at most 4096. */
  contextSize?: number;
  /** How many requests run at once; more wait in a queue. */
  sequences?: number;
  /**
   * CPU threads. Defaults to 1 for small files: on tiny models extra threads cost more in synchronisation than
   * they win (measured ~100× slower with 2 threads on a 2-core machine); larger models get all cores.
   */
  threads?: number;
}

export interface LlamaCppSettings {
  name?: string;
  models: LlamaCppModelConfig[];
  /** Used when a request gives no temperature (llama.cpp server's default). */
  defaultTemperature?: number;
}

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  /** Resolved once: resolving it per request (what LlamaChat does by default) cost more than a short answer. */
  chatWrapper: ChatWrapper;
  LlamaChat: typeof LlamaChat;
  pool: SequencePool;
  /** The longest token in bytes: a prompt of n bytes is at least n / this many tokens. */
  maxTokenBytes: number;
  json?: Promise<LlamaGrammar>;
}

/** UTF-8 bytes of a prompt's text (what the chat template adds only makes it longer). */
function promptBytes(prompt: CallOptions["prompt"]): number {
  let n = 0;
  for (const m of prompt) {
    if (typeof m.content === "string") n += Buffer.byteLength(m.content);
    else for (const p of m.content) n += Buffer.byteLength(p.type === "text" ? p.text : p.type === "tool-call" ? p.input : p.type === "tool-result" ? p.output : "");
  }
  return n;
}

/** Bytes of the vocabulary's longest token (a few ms for 100k tokens); a generous guess when it is not listed. */
function longestToken(model: LlamaModel): number {
  const tokens = (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: unknown } } }).tokenizer?.ggml?.tokens;
  if (!Array.isArray(tokens)) return 256;
  let max = 1;
  for (let i = 0; i < tokens.length; i++) max = Math.max(max, Buffer.byteLength(model.detokenize([i as never], true)));
  return max;
}

/** JSON mode through a grammar: any JSON object, or the request's schema where it gave one. */
async function grammarFor(state: Loaded, o: CallOptions): Promise<LlamaGrammar | undefined> {
  if (o.responseFormat?.type !== "json") return undefined;
  const { llama } = await getRuntime();
  if (o.responseFormat.schema) {
    try {
      return await llama.createGrammarForJsonSchema(o.responseFormat.schema as never);
    } catch (err) {
      throw new ProviderFailureError({ kind: "unsupported", provider: "llama-cpp", message: `the JSON schema cannot be enforced locally: ${(err as Error).message}` });
    }
  }
  return (state.json ??= llama.getGrammarFor("json"));
}

const MIN_CHUNK_INTERVAL_MS = 2;

const SMALL_MODEL_BYTES = 256 * 1024 * 1024;

function mapStopReason(reason: string): FinishReason {
  switch (reason) {
    case "eogToken":
    case "stopGenerationTrigger":
    case "customStopTrigger":
      return "stop";
    case "maxTokens":
      return "length";
    default:
      return "other";
  }
}

export function createLlamaCpp(settings: LlamaCppSettings): Provider & { preload(): Promise<void> } {
  const name = settings.name ?? "local";
  const configs = new Map(settings.models.map((m) => [m.id, m]));
  const loaded = new Map<string, Promise<Loaded>>();

  const load = (cfg: LlamaCppModelConfig): Promise<Loaded> => {
    let p = loaded.get(cfg.id);
    if (!p) {
      p = (async () => {
        const { llama, lib } = await getRuntime();
        const model = await llama.loadModel({ modelPath: cfg.path }).catch((err: unknown) => {
          throw new ProviderFailureError({
            kind: "internal",
            provider: name,
            message: `cannot load ${cfg.path} for model ${cfg.id}: ${(err as Error).message}`,
            cause: err,
          });
        });
        const threads = cfg.threads ?? (statSync(cfg.path).size < SMALL_MODEL_BYTES ? 1 : availableParallelism());
        const context = await model.createContext({
          sequences: cfg.sequences ?? 4,
          threads,
          contextSize: Math.min(cfg.contextSize ?? model.trainContextSize, model.trainContextSize, 4096),
        });
        return { model, context, chatWrapper: lib.resolveChatWrapper(model), LlamaChat: lib.LlamaChat, pool: new SequencePool(context), maxTokenBytes: longestToken(model) };
      })();
      // A failed load is retried on the next request rather than remembered forever.
      p.catch(() => loaded.delete(cfg.id));
      loaded.set(cfg.id, p);
    }
    return p;
  };

  const chatModel = (modelId: string): ChatModel => {
    const cfg = configs.get(modelId);
    const unsupported = (message: string) => new ProviderFailureError({ kind: "unsupported", provider: name, message });
    const tooLong = (message: string) => new ProviderFailureError({ kind: "too-long", provider: name, message });

    const doStream = async (o: CallOptions): Promise<StreamResult> => {
      if (!cfg) throw new ProviderFailureError({ kind: "http", status: 404, provider: name, message: `no local model "${modelId}"` });
      if (o.tools?.length && o.toolChoice !== "none") throw unsupported(`model ${modelId} does not support tool calling`);
      if (o.prompt.some((m) => m.role === "user" && m.content.some((p) => p.type === "image"))) {
        throw unsupported(`model ${modelId} does not accept images`);
      }
      const state = await load(cfg);
      // Tokenising costs the event loop about 0.3 s a megabyte: a prompt that cannot fit even if every token
      // were the vocabulary's longest is refused before any of that work.
      const bytes = promptBytes(o.prompt);
      const atLeast = Math.ceil(bytes / state.maxTokenBytes);
      if (atLeast > state.context.contextSize) {
        throw tooLong(`the prompt is at least ${atLeast} tokens (${bytes} bytes); model ${modelId} has a context of ${state.context.contextSize}`);
      }
      const grammar = await grammarFor(state, o);
      const history = toChatHistory(o.prompt);
      const stop = new AbortController();
      const onCallerAbort = () => stop.abort(o.abortSignal!.reason);
      if (o.abortSignal?.aborted) onCallerAbort();
      o.abortSignal?.addEventListener("abort", onCallerAbort, { once: true });
      let sequence;
      try {
        sequence = await state.pool.acquire(stop.signal);
      } catch (err) {
        o.abortSignal?.removeEventListener("abort", onCallerAbort);
        throw new ProviderFailureError({ kind: "aborted", provider: name, message: "aborted while waiting for a free sequence", cause: err });
      }
      const chat = new state.LlamaChat({ contextSequence: sequence, chatWrapper: state.chatWrapper });
      const inputTokens = chat.chatWrapper
        .generateContextState({ chatHistory: history })
        .contextText.tokenize(state.model.tokenizer).length;
      // The answer must fit in what the context leaves after the prompt; llama.cpp would otherwise try to
      // "compress" the history and fail with a message about that.
      const room = sequence.contextSize - inputTokens;
      if (room < 1) {
        chat.dispose();
        state.pool.release(sequence);
        o.abortSignal?.removeEventListener("abort", onCallerAbort);
        throw tooLong(`the prompt is ${inputTokens} tokens; model ${modelId} has a context of ${sequence.contextSize}`);
      }
      const maxTokens = Math.min(o.maxOutputTokens ?? room, room);
      const meterBefore = sequence.tokenMeter.getState();

      const stream = new ReadableStream<StreamPart>({
        start(controller) {
          controller.enqueue({ type: "response-metadata", modelId, created: Math.floor(Date.now() / 1000) });
          // Text is handed on after llama.cpp's next evaluation has been dispatched, so whatever the consumer does
          // with it (encode, write to a socket) overlaps that evaluation instead of delaying it.
          // Tokens arriving within MIN_CHUNK_INTERVAL_MS of the last chunk are joined: a tiny model makes thousands
          // of tokens a second, and a chunk per token then costs more in wake-ups than the tokens themselves.
          let pending = "";
          let scheduled = false;
          let lastFlush = 0;
          const flush = () => {
            scheduled = false;
            if (!pending) return;
            lastFlush = performance.now();
            try {
              controller.enqueue({ type: "text-delta", delta: pending });
            } catch {
              // the consumer cancelled: generation is being stopped
            }
            pending = "";
          };
          chat
            .generateResponse(history, {
              onTextChunk: (delta) => {
                if (!delta) return;
                pending += delta;
                if (scheduled) return;
                scheduled = true;
                const wait = MIN_CHUNK_INTERVAL_MS - (performance.now() - lastFlush);
                if (wait > 0) setTimeout(flush, wait);
                // Two hops: node-llama-cpp dispatches the next evaluation with setImmediate after this callback
                // returns, and the flush must come after that dispatch, not before it.
                else setImmediate(() => setImmediate(flush));
              },
              signal: stop.signal,
              stopOnAbortSignal: true,
              temperature: o.temperature ?? settings.defaultTemperature ?? 0.8,
              ...(o.topP !== undefined && { topP: o.topP }),
              ...(o.seed !== undefined && { seed: o.seed }),
              maxTokens,
              ...(o.stopSequences?.length && { customStopTriggers: o.stopSequences }),
              ...(grammar && { grammar }),
            })
            .then((res) => {
              flush();
              const used = sequence.tokenMeter.diff(meterBefore);
              controller.enqueue({
                type: "finish",
                finishReason: mapStopReason(res.metadata.stopReason),
                usage: { inputTokens, outputTokens: used.usedOutputTokens },
              });
              controller.close();
            })
            .catch((err: unknown) => {
              try {
                flush();
                controller.enqueue({
                  type: "error",
                  error: stop.signal.aborted
                    ? failureFromThrown(name, err, stop.signal)
                    : new ProviderFailureError({ kind: "internal", provider: name, message: `llama.cpp failed: ${(err as Error).message}`, cause: err }),
                });
                controller.close();
              } catch {
                // the consumer cancelled the stream already
              }
            })
            .finally(() => {
              o.abortSignal?.removeEventListener("abort", onCallerAbort);
              chat.dispose();
              state.pool.release(sequence);
            });
        },
        cancel(reason) {
          stop.abort(reason);
        },
      });
      return { stream };
    };

    return {
      specificationVersion: "benih-1",
      provider: name,
      modelId,
      capabilities: { tools: false, jsonMode: true, images: false },
      doStream,
      doGenerate: async (o) => collectStream(await doStream(o)),
    };
  };

  return {
    name,
    chatModel,
    async listModels(): Promise<ModelInfo[]> {
      return settings.models.map((m) => ({ id: m.id, ownedBy: `${name}:${basename(m.path)}` }));
    },
    async preload() {
      await Promise.all(settings.models.map((m) => load(m)));
    },
    async close() {
      const all = await Promise.allSettled(loaded.values());
      loaded.clear();
      for (const r of all) {
        if (r.status === "fulfilled") {
          await r.value.context.dispose();
          await r.value.model.dispose();
        }
      }
    },
  };
}
