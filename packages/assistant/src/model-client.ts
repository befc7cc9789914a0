import { request } from "undici";

export interface ChatTurn {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A piece of a streamed answer: text, or why it ended. */
export type AnswerPart = { type: "text"; text: string } | { type: "finish"; reason: string };

/** Who asks: the caller's own credentials and host, so the gateway applies the caller's key and market. */
export interface Caller {
  authorization?: string;
  host?: string;
}

export interface ModelClient {
  stream(o: { model: string; messages: ChatTurn[]; caller: Caller; signal: AbortSignal }): AsyncIterable<AnswerPart>;
}

export class ModelError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Calls models through benih's own OpenAI-compatible endpoint, as the caller: the request meets the same
 * allow-list, content policy, fallbacks and request log as any other, for the caller's market. Host is sent as
 * the caller sent it (undici's fetch would replace it), since the market may be chosen by host.
 */
export class GatewayClient implements ModelClient {
  constructor(private readonly baseUrl: () => string) {}

  async *stream(o: { model: string; messages: ChatTurn[]; caller: Caller; signal: AbortSignal }): AsyncIterable<AnswerPart> {
    const res = await request(`${this.baseUrl()}/v1/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        ...(o.caller.authorization && { authorization: o.caller.authorization }),
        ...(o.caller.host && { host: o.caller.host }),
      },
      body: JSON.stringify({ model: o.model, messages: o.messages, stream: true }),
      signal: o.signal,
    });
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      let message = `the model answered HTTP ${res.statusCode}`;
      let code: string | undefined;
      try {
        const e = (JSON.parse(text) as { error: { message: string; code?: string } }).error;
        message = e.message;
        code = e.code;
      } catch {
        // not JSON: keep the status line
      }
      throw new ModelError(res.statusCode, message, code);
    }
    yield* parseChunks(res.body);
  }
}

/** OpenAI chat-completion chunks from a server-sent event stream. */
export async function* parseChunks(body: AsyncIterable<Buffer | string>): AsyncIterable<AnswerPart> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body) {
    buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trimStart())
        .join("\n");
      if (!data || data === "[DONE]") continue;
      const c = JSON.parse(data) as { error?: { message: string; code?: string }; choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }> };
      if (c.error) throw new ModelError(502, c.error.message, c.error.code);
      const choice = c.choices?.[0];
      if (choice?.delta?.content) yield { type: "text", text: choice.delta.content };
      if (choice?.finish_reason) yield { type: "finish", reason: choice.finish_reason };
    }
  }
}
