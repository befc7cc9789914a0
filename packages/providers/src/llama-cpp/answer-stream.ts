import { randomUUID } from "node:crypto";
import type { CallOptions, FinishReason, StreamPart } from "@benih/spec";
import type { LlamaContextSequence, LlamaGrammar } from "node-llama-cpp";
import { ProviderFailureError, failureFromThrown } from "../shared/provider-failure.ts";
import { ToolCallScanner } from "./tool-call-scanner.ts";

const MIN_CHUNK_INTERVAL_MS = 2;

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

/** What LlamaChat's generateResponse and LlamaCompletion's generateCompletionWithMeta both take. */
export interface GenerateOptions {
  onTextChunk(text: string): void;
  signal: AbortSignal;
  stopOnAbortSignal: true;
  temperature: number;
  topP?: number;
  seed?: number;
  maxTokens: number;
  customStopTriggers?: string[];
  grammar?: LlamaGrammar;
}

export interface Generation {
  provider: string;
  modelId: string;
  sequence: LlamaContextSequence;
  /** Runs the model: LlamaChat over the chat history, or LlamaCompletion over a prompt the chat template rendered. */
  generate(options: GenerateOptions): Promise<{ metadata: { stopReason: string } }>;
  /** The tools offered: `<tool_call>` lines naming one of them are tool calls, not text. */
  tools?: ReadonlySet<string>;
  inputTokens: number;
  maxTokens: number;
  temperature: number;
  grammar: LlamaGrammar | undefined;
  /** Ends generation: the caller went away, or the consumer cancelled. */
  stop: AbortController;
  /** Runs once generation has ended, however it ended: frees the sequence. */
  done(): void;
}

/**
 * The answer as stream parts: metadata, text deltas, then a finish with usage, or an error part. Text is handed on
 * after llama.cpp's next evaluation has been dispatched, so whatever the consumer does with it (encode, write to a
 * socket) overlaps that evaluation instead of delaying it.
 */
export function answerStream(g: Generation, o: CallOptions): ReadableStream<StreamPart> {
  const meterBefore = g.sequence.tokenMeter.getState();
  return new ReadableStream<StreamPart>({
    start(controller) {
      controller.enqueue({ type: "response-metadata", modelId: g.modelId, created: Math.floor(Date.now() / 1000) });
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
      const addText = (delta: string) => {
        if (!delta) return;
        pending += delta;
        if (scheduled) return;
        scheduled = true;
        const wait = MIN_CHUNK_INTERVAL_MS - (performance.now() - lastFlush);
        if (wait > 0) setTimeout(flush, wait);
        // Two hops: node-llama-cpp dispatches the next evaluation with setImmediate after this callback
        // returns, and the flush must come after that dispatch, not before it.
        else setImmediate(() => setImmediate(flush));
      };
      const scanner = g.tools && new ToolCallScanner(g.tools);
      const take = (scanned: ReturnType<ToolCallScanner["push"]>) => {
        for (const s of scanned) {
          if (s.type === "text") addText(s.text);
          else {
            flush();
            try {
              controller.enqueue({
                type: "tool-call",
                toolCallId: `call_${randomUUID().replaceAll("-", "")}`,
                toolName: s.toolName,
                input: s.input,
              });
            } catch {
              // the consumer cancelled: generation is being stopped
            }
          }
        }
      };
      const onTextChunk = scanner ? (delta: string) => take(scanner.push(delta)) : addText;
      g.generate({
        onTextChunk,
        signal: g.stop.signal,
        stopOnAbortSignal: true,
        temperature: g.temperature,
        ...(o.topP !== undefined && { topP: o.topP }),
        ...(o.seed !== undefined && { seed: o.seed }),
        maxTokens: g.maxTokens,
        ...(o.stopSequences?.length && { customStopTriggers: o.stopSequences }),
        ...(g.grammar && { grammar: g.grammar }),
      })
        .then((res) => {
          if (scanner) take(scanner.end());
          flush();
          const used = g.sequence.tokenMeter.diff(meterBefore);
          controller.enqueue({
            type: "finish",
            finishReason: scanner?.called ? "tool-calls" : mapStopReason(res.metadata.stopReason),
            usage: { inputTokens: g.inputTokens, outputTokens: used.usedOutputTokens },
          });
          controller.close();
        })
        .catch((err: unknown) => {
          try {
            flush();
            controller.enqueue({
              type: "error",
              error: g.stop.signal.aborted
                ? failureFromThrown(g.provider, err, g.stop.signal)
                : new ProviderFailureError({
                    kind: "internal",
                    provider: g.provider,
                    message: `llama.cpp failed: ${(err as Error).message}`,
                    cause: err,
                  }),
            });
            controller.close();
          } catch {
            // the consumer cancelled the stream already
          }
        })
        .finally(g.done);
    },
    cancel(reason) {
      g.stop.abort(reason);
    },
  });
}
