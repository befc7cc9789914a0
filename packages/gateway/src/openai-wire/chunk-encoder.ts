import { encodeEvent } from "@benih/contracts";
import type { StreamPart } from "@benih/spec";
import { openAIUsage, toOpenAIFinishReason } from "./finish-reason.ts";

/**
 * Encodes stream parts as OpenAI `chat.completion.chunk` server-sent events. Each call returns the text to write now
 * (possibly empty), so parts go out as they arrive. The JSON prefix is built once per stream: this runs per token.
 */
export class ChunkEncoder {
  private readonly head: string;
  private readonly usageField: string;
  private readonly toolIndex = new Map<string, number>();
  private sentRole = false;
  finished = false;

  constructor(
    id: string,
    model: string,
    created: number,
    private readonly includeUsage: boolean,
  ) {
    this.head = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":null,"choices":[`;
    this.usageField = includeUsage ? `,"usage":null` : "";
  }

  // JSON holds no raw line break, so a chunk is one `data:` line: no need to split it as encodeEvent does.
  private choice(delta: object, finishReason: string | null = null): string {
    return `data: ${this.head}{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finishReason ? `"${finishReason}"` : "null"}}]${this.usageField}}\n\n`;
  }

  private withRole<T extends object>(delta: T): T | (T & { role: "assistant" }) {
    if (this.sentRole) return delta;
    this.sentRole = true;
    return { role: "assistant", ...delta };
  }

  encode(part: StreamPart): string {
    switch (part.type) {
      case "text-delta":
        return this.choice(this.withRole({ content: part.delta }));
      case "tool-input-start": {
        const index = this.toolIndex.size;
        this.toolIndex.set(part.id, index);
        return this.choice(
          this.withRole({
            content: null,
            tool_calls: [{ index, id: part.id, type: "function", function: { name: part.toolName, arguments: "" } }],
          }),
        );
      }
      case "tool-input-delta": {
        const index = this.toolIndex.get(part.id);
        if (index === undefined) return "";
        return this.choice({ tool_calls: [{ index, function: { arguments: part.delta } }] });
      }
      case "tool-call": {
        // Providers that stream deltas also send the finished call; send it whole only if no deltas went out.
        if (this.toolIndex.has(part.toolCallId)) return "";
        const index = this.toolIndex.size;
        this.toolIndex.set(part.toolCallId, index);
        return this.choice(
          this.withRole({
            content: null,
            tool_calls: [{ index, id: part.toolCallId, type: "function", function: { name: part.toolName, arguments: part.input } }],
          }),
        );
      }
      case "finish": {
        this.finished = true;
        let out = this.choice(this.withRole({}), toOpenAIFinishReason(part.finishReason));
        if (this.includeUsage) out += encodeEvent({ data: `${this.head}],"usage":${JSON.stringify(openAIUsage(part.usage))}}` });
        return out + encodeEvent({ data: "[DONE]" });
      }
      default:
        // stream-start, response-metadata: nothing for the client; errors are written by the caller.
        return "";
    }
  }

  /** The event that ends a stream whose upstream failed after output began. */
  static error(message: string, type: string, code: string | null): string {
    return encodeEvent({ data: { error: { message, type, param: null, code } } });
  }
}
