import type { CallOptions, ChatModel, StreamResult } from "@benih/spec";
import { collectStream } from "../shared/collect-stream.ts";
import { ProviderFailureError } from "../shared/provider-failure.ts";
import { answerStream } from "./answer-stream.ts";
import type { LlamaCppModelConfig, LlamaCppSettings } from "./config.ts";
import type { Loaded, LoadedModels } from "./loaded-models.ts";
import { chatRun, completionRun, renderPrompt } from "./model-run.ts";
import { grammarFor, refuseHopelesslyLong, refuseUnsupported, tooLong } from "./request-checks.ts";
import { getRuntime } from "./runtime.ts";
import { hasToolTraffic } from "./tool-template.ts";

/** Ties the generation to the caller's abort signal; `release` unties it. */
function abortWithCaller(o: CallOptions): { stop: AbortController; release(): void } {
  const stop = new AbortController();
  const onCallerAbort = () => stop.abort(o.abortSignal!.reason);
  if (o.abortSignal?.aborted) onCallerAbort();
  o.abortSignal?.addEventListener("abort", onCallerAbort, { once: true });
  return { stop, release: () => o.abortSignal?.removeEventListener("abort", onCallerAbort) };
}

/** Waits for a free sequence of the model's context (requests beyond `sequences` queue here). */
async function acquireSequence(provider: string, state: Loaded, stop: AbortController, release: () => void) {
  try {
    return await state.pool.acquire(stop.signal);
  } catch (err) {
    release();
    throw new ProviderFailureError({ kind: "aborted", provider, message: "aborted while waiting for a free sequence", cause: err });
  }
}

/** One local model: checks the request, waits for a sequence, and streams the answer. */
export function llamaChatModel(
  provider: string,
  modelId: string,
  /** Looked up per request: a promotion may change what the id is served from. */
  config: () => LlamaCppModelConfig | undefined,
  models: LoadedModels,
  settings: LlamaCppSettings,
): ChatModel {
  const doStream = async (o: CallOptions): Promise<StreamResult> => {
    const cfg = config();
    if (!cfg) throw new ProviderFailureError({ kind: "http", status: 404, provider, message: `no local model "${modelId}"` });
    const { state, letGo } = await models.use(cfg);
    try {
      return await answer(o, cfg, state, letGo);
    } catch (err) {
      letGo(); // an answer that streams lets go when it ends
      throw err;
    }
  };
  const answer = async (o: CallOptions, cfg: LlamaCppModelConfig, state: Loaded, letGo: () => void): Promise<StreamResult> => {
    refuseUnsupported(provider, modelId, o, !!state.toolTemplate);
    refuseHopelesslyLong(provider, modelId, state, o.prompt);
    const grammar = await grammarFor(state, o);
    const tools = o.tools?.length && o.toolChoice !== "none" ? o.tools : [];
    // A model whose template renders tool calls gets the conversation in that template's own format whenever tools
    // are offered or were used: the format it was trained on (and LlamaChat's wrappers have no such format).
    const { lib } = await getRuntime();
    const rendered =
      state.toolTemplate && (tools.length || hasToolTraffic(o.prompt))
        ? renderPrompt(provider, modelId, state, lib, o.prompt, tools)
        : undefined;
    const { stop, release } = abortWithCaller(o);
    const sequence = await acquireSequence(provider, state, stop, release);
    const run = rendered ? completionRun(lib, sequence, rendered) : chatRun(state, sequence, o.prompt);
    const { inputTokens } = run;
    const done = () => {
      release();
      run.dispose();
      state.pool.release(sequence);
      letGo();
    };
    // The answer must fit in what the context leaves after the prompt; llama.cpp would otherwise try to
    // "compress" the history and fail with a message about that.
    const room = sequence.contextSize - inputTokens;
    if (room < 1) {
      done();
      throw tooLong(provider, `the prompt is ${inputTokens} tokens; model ${modelId} has a context of ${sequence.contextSize}`);
    }
    const temperature = o.temperature ?? cfg.defaultTemperature ?? settings.defaultTemperature ?? 0.8;
    const maxTokens = Math.min(o.maxOutputTokens ?? room, room);
    return {
      stream: answerStream(
        {
          provider,
          modelId,
          sequence,
          generate: run.generate,
          ...(tools.length && { tools: new Set(tools.map((t) => t.name)) }),
          inputTokens,
          maxTokens,
          temperature,
          grammar,
          stop,
          done,
        },
        o,
      ),
    };
  };
  return {
    specificationVersion: "benih-1",
    provider,
    modelId,
    // Whether it calls tools is known from its chat template once it has loaded.
    get capabilities() {
      return { tools: !!models.loadedNow(modelId)?.toolTemplate, jsonMode: true, images: false };
    },
    doStream,
    doGenerate: async (o) => collectStream(await doStream(o)),
  };
}
