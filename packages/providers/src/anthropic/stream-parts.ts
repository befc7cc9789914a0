import { readEvents } from "@benih/contracts";
import type { FinishReason, StreamPart, Usage } from "@benih/spec";
import { ProviderFailureError, failureFromThrown } from "../shared/provider-failure.ts";
import { mapAnthropicStopReason } from "./finish-reason.ts";

interface AnthropicEvent {
  type: string;
  index?: number;
  message?: { id?: string; model?: string; usage?: { input_tokens?: number; output_tokens?: number } };
  content_block?: { type: string; id?: string; name?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
  usage?: { output_tokens?: number; input_tokens?: number };
  error?: { type?: string; message?: string };
}

/** Messages API SSE → stream parts. The stream is complete only after `message_stop`. */
export function anthropicStreamParts(
  provider: string,
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
): ReadableStream<StreamPart> {
  const events = readEvents(body);
  const blocks = new Map<number, { id: string; name: string; input: string }>();
  const usage: Usage = { inputTokens: undefined, outputTokens: undefined };
  let finishReason: FinishReason = "other";
  let ended = false;
  const invalid = (message: string) => new ProviderFailureError({ kind: "invalid-response", provider, message });

  return new ReadableStream<StreamPart>({
    async pull(controller) {
      const end = (part: StreamPart) => {
        controller.enqueue(part);
        ended = true;
        controller.close();
      };
      try {
        for (;;) {
          const next = await events.next();
          if (next.done) return end({ type: "error", error: invalid(`${provider} ended the stream before message_stop`) });
          let ev: AnthropicEvent;
          try {
            ev = JSON.parse(next.value.data) as AnthropicEvent;
          } catch {
            return end({
              type: "error",
              error: invalid(`${provider} sent a stream event that is not JSON: ${next.value.data.slice(0, 200)}`),
            });
          }
          switch (ev.type) {
            case "message_start":
              usage.inputTokens = ev.message?.usage?.input_tokens;
              usage.outputTokens = ev.message?.usage?.output_tokens;
              controller.enqueue({
                type: "response-metadata",
                ...(ev.message?.id && { id: ev.message.id }),
                ...(ev.message?.model && { modelId: ev.message.model }),
              });
              return;
            case "content_block_start":
              if (ev.content_block?.type === "tool_use" && ev.index !== undefined) {
                const call = { id: ev.content_block.id ?? `call_${ev.index}`, name: ev.content_block.name ?? "", input: "" };
                blocks.set(ev.index, call);
                controller.enqueue({ type: "tool-input-start", id: call.id, toolName: call.name });
                return;
              }
              break;
            case "content_block_delta":
              if (ev.delta?.type === "text_delta" && ev.delta.text) {
                controller.enqueue({ type: "text-delta", delta: ev.delta.text });
                return;
              }
              if (ev.delta?.type === "input_json_delta" && ev.index !== undefined) {
                const call = blocks.get(ev.index);
                if (call && ev.delta.partial_json) {
                  call.input += ev.delta.partial_json;
                  controller.enqueue({ type: "tool-input-delta", id: call.id, delta: ev.delta.partial_json });
                  return;
                }
              }
              break;
            case "content_block_stop": {
              const call = ev.index !== undefined ? blocks.get(ev.index) : undefined;
              if (call) {
                controller.enqueue({ type: "tool-call", toolCallId: call.id, toolName: call.name, input: call.input || "{}" });
                return;
              }
              break;
            }
            case "message_delta":
              if (ev.delta?.stop_reason) finishReason = mapAnthropicStopReason(ev.delta.stop_reason);
              if (ev.usage?.output_tokens !== undefined) usage.outputTokens = ev.usage.output_tokens;
              if (ev.usage?.input_tokens !== undefined) usage.inputTokens = ev.usage.input_tokens;
              break;
            case "message_stop":
              return end({ type: "finish", finishReason, usage });
            case "error":
              return end({
                type: "error",
                error: new ProviderFailureError({
                  kind: "http",
                  provider,
                  status: ev.error?.type === "overloaded_error" ? 529 : 500,
                  message: `${provider} reported an error mid-stream: ${ev.error?.message ?? ev.error?.type ?? "unknown"}`,
                  ...(ev.error?.message !== undefined && { upstreamMessage: ev.error.message }),
                }),
              });
            // ping and unknown future events are ignored, as Anthropic asks clients to do.
          }
        }
      } catch (err) {
        if (!ended) end({ type: "error", error: failureFromThrown(provider, err, signal) });
      }
    },
    async cancel() {
      await events.return(undefined);
    },
  });
}
