import type { CallOptions, FunctionTool } from "@benih/spec";
import type { LlamaContextSequence } from "node-llama-cpp";
import { ProviderFailureError } from "../shared/provider-failure.ts";
import type { Generation } from "./answer-stream.ts";
import type { Loaded } from "./loaded-models.ts";
import type { getRuntime } from "./runtime.ts";
import { toChatHistory } from "./to-chat-history.ts";
import { renderWithTemplate } from "./tool-template.ts";

type Module = Awaited<ReturnType<typeof getRuntime>>["lib"];

/** How one request runs on its sequence: the prompt's length in tokens, the generation, and what to free after. */
export interface ModelRun {
  inputTokens: number;
  generate: Generation["generate"];
  dispose(): void;
}

/** A plain conversation: LlamaChat over it as chat history, framed by the model's chat wrapper. */
export function chatRun(state: Loaded, sequence: LlamaContextSequence, prompt: CallOptions["prompt"]): ModelRun {
  const history = toChatHistory(prompt);
  const chat = new state.LlamaChat({ contextSequence: sequence, chatWrapper: state.chatWrapper });
  return {
    inputTokens: chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(state.model.tokenizer).length,
    generate: (options) => chat.generateResponse(history, options),
    dispose: () => chat.dispose(),
  };
}

/**
 * The prompt as the model's own chat template renders it (tools, calls and results in the format the model was
 * trained on), tokenised; llama.cpp's begin token is left to LlamaCompletion, which adds it where the model wants it.
 */
export function renderPrompt(
  provider: string,
  modelId: string,
  state: Loaded,
  lib: Module,
  prompt: CallOptions["prompt"],
  tools: readonly FunctionTool[],
) {
  const { tokens: special } = state.model;
  let text: ReturnType<typeof renderWithTemplate>;
  try {
    text = renderWithTemplate(state.toolTemplate!, prompt, tools, { bos: special.bosString, eos: special.eosString }, lib);
  } catch (err) {
    throw new ProviderFailureError({
      kind: "unsupported",
      provider,
      message: `the chat template of model ${modelId} cannot render this conversation: ${(err as Error).message}`,
      cause: err,
    });
  }
  const bos = special.shouldPrependBosToken ? special.bos : null;
  const tokens = text.tokenize(state.model.tokenizer);
  return { tokens: bos !== null && tokens[0] === bos ? tokens.slice(1) : tokens, prepended: bos !== null ? 1 : 0 };
}

/** A prompt rendered by the chat template, completed by LlamaCompletion on the request's sequence. */
export function completionRun(lib: Module, sequence: LlamaContextSequence, prompt: ReturnType<typeof renderPrompt>): ModelRun {
  const completion = new lib.LlamaCompletion({ contextSequence: sequence });
  return {
    inputTokens: prompt.tokens.length + prompt.prepended,
    // The prompt was measured to fit: nothing of it may be shifted out, and the answer stops where the context ends.
    generate: (options) =>
      completion.generateCompletionWithMeta(prompt.tokens, { ...options, contextShiftSize: 0, disableContextShift: true }),
    dispose: () => completion.dispose({ disposeSequence: false }),
  };
}
