import { EventStreamParser, type ServerSentEvent } from "@benih/contracts";
import type { FinishReason, StreamPart, Usage } from "@benih/spec";
import { ProviderFailureError, failureFromThrown } from "../shared/provider-failure.ts";
import { mapOpenAIFinishReason } from "./finish-reason.ts";

interface ChunkToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface Chunk {
  id?: string;
  model?: string;
  created?: number;
  choices?: Array<{ delta?: { content?: string | null; tool_calls?: ChunkToolCall[] }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

/**
 * Turns an OpenAI chat-completions SSE body into stream parts. Tool calls arrive by `index` with the id only on
 * their first delta, so an index → call map is kept. A body that ends without `[DONE]` or a finish reason, or a
 * data line that is not JSON, ends the stream with an `error` part.
 *
 * Every event of a network read becomes its parts in one pull: one wait per read of the body, not one per event.
 */
export function openAIStreamParts(
  provider: string,
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
): ReadableStream<StreamPart> {
  const chunks = body[Symbol.asyncIterator]();
  const parser = new EventStreamParser();
  const decoder = new TextDecoder();
  let events: ServerSentEvent[] = [];
  let next = 0;
  let bodyDone = false;
  const calls = new Map<number, { id: string; name: string; input: string }>();
  let finishReason: FinishReason | undefined;
  const usage: Usage = { inputTokens: undefined, outputTokens: undefined };
  let sentMetadata = false;
  let ended = false;

  const failure = (message: string) => new ProviderFailureError({ kind: "invalid-response", provider, message });

  return new ReadableStream<StreamPart>({
    async pull(controller) {
      const end = (part?: StreamPart) => {
        if (part) controller.enqueue(part);
        ended = true;
        controller.close();
      };
      try {
        // Loop until this pull enqueued something, so the consumer is never left waiting on an empty pull.
        let emitted = false;
        for (;;) {
          while (next < events.length) {
            const data = events[next++]!.data;
            if (data === "[DONE]") return finish(controller, end);
            let chunk: Chunk;
            try {
              chunk = JSON.parse(data) as Chunk;
            } catch {
              return end({ type: "error", error: failure(`${provider} sent a stream event that is not JSON: ${data.slice(0, 200)}`) });
            }
            if (chunk.error) {
              return end({
                type: "error",
                error: new ProviderFailureError({
                  kind: "http",
                  provider,
                  message: `${provider} reported an error mid-stream: ${chunk.error.message ?? "unknown"}`,
                  ...(chunk.error.message !== undefined && { upstreamMessage: chunk.error.message }),
                }),
              });
            }
            if (!sentMetadata && (chunk.id || chunk.model)) {
              sentMetadata = true;
              controller.enqueue({
                type: "response-metadata",
                ...(chunk.id && { id: chunk.id }),
                ...(chunk.model && { modelId: chunk.model }),
                ...(chunk.created && { created: chunk.created }),
              });
              emitted = true;
            }
            if (chunk.usage) {
              usage.inputTokens = chunk.usage.prompt_tokens ?? usage.inputTokens;
              usage.outputTokens = chunk.usage.completion_tokens ?? usage.outputTokens;
            }
            const choice = chunk.choices?.[0];
            const delta = choice?.delta;
            if (delta?.content) {
              controller.enqueue({ type: "text-delta", delta: delta.content });
              emitted = true;
            }
            for (const tc of delta?.tool_calls ?? []) {
              const index = tc.index ?? calls.size;
              let call = calls.get(index);
              if (!call) {
                if (!tc.id || !tc.function?.name) {
                  return end({ type: "error", error: failure(`${provider} streamed a tool call without id or name`) });
                }
                call = { id: tc.id, name: tc.function.name, input: "" };
                calls.set(index, call);
                controller.enqueue({ type: "tool-input-start", id: call.id, toolName: call.name });
              }
              const args = tc.function?.arguments;
              if (args) {
                call.input += args;
                controller.enqueue({ type: "tool-input-delta", id: call.id, delta: args });
              }
              emitted = true;
            }
            if (choice?.finish_reason) finishReason = mapOpenAIFinishReason(choice.finish_reason);
          }
          if (emitted) return;
          if (bodyDone) {
            if (finishReason === undefined) {
              return end({ type: "error", error: failure(`${provider} ended the stream before it was complete`) });
            }
            return finish(controller, end);
          }
          const read = await chunks.next();
          if (read.done) {
            bodyDone = true;
            events = parser.feed(decoder.decode());
          } else {
            events = parser.feed(decoder.decode(read.value, { stream: true }));
          }
          next = 0;
        }
      } catch (err) {
        if (!ended) end({ type: "error", error: failureFromThrown(provider, err, signal) });
      }
    },
    async cancel() {
      // Stopping early releases the connection.
      if (!bodyDone) await chunks.return?.(undefined)?.catch(() => {});
    },
  });

  function finish(controller: ReadableStreamDefaultController<StreamPart>, end: (p?: StreamPart) => void) {
    for (const c of calls.values()) {
      controller.enqueue({ type: "tool-call", toolCallId: c.id, toolName: c.name, input: c.input || "{}" });
    }
    end({ type: "finish", finishReason: finishReason ?? "stop", usage });
  }
}
