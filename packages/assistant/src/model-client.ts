import { readEvents } from "@benih/contracts";
import { request } from "undici";

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
}

/** A part of a user turn: its text, or an image (a data URL) for models that see images. */
export type ContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

export type ChatTurn =
  | { role: "system"; content: string }
  | { role: "user"; content: string | ContentPart[] }
  | {
      role: "assistant";
      content: string | null;
      tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
    }
  | { role: "tool"; content: string; tool_call_id: string };

/** A tool offered to the model, as OpenAI's chat completions describe one. */
export interface ToolDefinition {
  type: "function";
  function: { name: string; description: string; parameters: object };
}

/** A piece of a streamed answer: text, a whole tool call (assembled from its deltas), or why it ended. */
export type AnswerPart = { type: "text"; text: string } | { type: "tool-call"; call: ToolCall } | { type: "finish"; reason: string };

/** Who asks: the caller's own credentials and host, so the gateway applies the caller's key and market. */
export interface Caller {
  authorization?: string;
  /** The session cookie of a signed-in browser. */
  cookie?: string;
  host?: string;
  /** An admin's `x-benih-market`. */
  market?: string;
  /**
   * The server's own work for a person (embedding their uploads in the background): the person it is charged to,
   * sent as `x-benih-on-behalf-of` beside the internal token, which alone makes the gateway honour it.
   */
  onBehalfOf?: string;
  /** The span of the work that makes the call (tracing on): the call goes on in its trace. */
  traceparent?: string;
}

export interface StreamOptions {
  model: string;
  messages: ChatTurn[];
  caller: Caller;
  signal: AbortSignal;
  tools?: ToolDefinition[];
}

export interface ModelClient {
  stream(o: StreamOptions): AsyncIterable<AnswerPart>;
}

export interface EmbedOptions {
  model: string;
  input: string[];
  caller: Caller;
  signal?: AbortSignal;
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
  constructor(
    private readonly baseUrl: () => string,
    /** Marks these calls as the server's own (x-benih-internal), so they do not count twice against the caller's limits. */
    private readonly internalToken?: string,
  ) {}

  private headers(caller: Caller) {
    return {
      "content-type": "application/json",
      ...(caller.authorization && { authorization: caller.authorization }),
      ...(caller.cookie && { cookie: caller.cookie }),
      ...(caller.host && { host: caller.host }),
      ...(caller.market && { "x-benih-market": caller.market }),
      ...(caller.onBehalfOf && { "x-benih-on-behalf-of": caller.onBehalfOf }),
      ...(caller.traceparent && { traceparent: caller.traceparent }),
      ...(this.internalToken && { "x-benih-internal": this.internalToken }),
    };
  }

  async *stream(o: StreamOptions): AsyncIterable<AnswerPart> {
    const res = await request(`${this.baseUrl()}/v1/chat/completions`, {
      method: "POST",
      headers: { ...this.headers(o.caller), accept: "text/event-stream" },
      body: JSON.stringify({ model: o.model, messages: o.messages, stream: true, ...(o.tools?.length && { tools: o.tools }) }),
      signal: o.signal,
    });
    if (res.statusCode !== 200) throw await modelErrorOf(res.statusCode, res.body);
    yield* parseChunks(res.body);
  }

  /**
   * Vectors for texts (in their order) through /v1/embeddings, as the caller: the market's routing, allow-list,
   * policy, quotas and request log apply. Asked as base64 float32, a quarter of the JSON of numbers.
   */
  async embed(o: EmbedOptions): Promise<Float32Array[]> {
    const res = await request(`${this.baseUrl()}/v1/embeddings`, {
      method: "POST",
      headers: this.headers(o.caller),
      body: JSON.stringify({ model: o.model, input: o.input, encoding_format: "base64" }),
      ...(o.signal && { signal: o.signal }),
    });
    if (res.statusCode !== 200) throw await modelErrorOf(res.statusCode, res.body);
    const { data } = (await res.body.json()) as { data: Array<{ index: number; embedding: string | number[] }> };
    const out: Float32Array[] = [];
    for (const d of data) {
      if (typeof d.embedding !== "string") out[d.index] = Float32Array.from(d.embedding);
      else {
        const b = Buffer.from(d.embedding, "base64");
        out[d.index] = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      }
    }
    if (out.length !== o.input.length || out.some((v) => !v))
      throw new ModelError(502, `the model answered ${data.length} vectors for ${o.input.length} inputs`);
    return out;
  }
}

/** A non-200 answer of the gateway as a ModelError: its OpenAI-shaped message and code, or its status. */
async function modelErrorOf(status: number, body: { text(): Promise<string> }): Promise<ModelError> {
  const text = await body.text();
  let message = `the model answered HTTP ${status}`;
  let code: string | undefined;
  try {
    const e = (JSON.parse(text) as { error: { message: string; code?: string } }).error;
    message = e.message;
    code = e.code;
  } catch {
    // not JSON: keep the status line
  }
  return new ModelError(status, message, code);
}

/** OpenAI chat-completion chunks from a server-sent event stream; tool calls are yielded whole, before the finish. */
export async function* parseChunks(body: AsyncIterable<Uint8Array | string>): AsyncIterable<AnswerPart> {
  const calls: ToolCall[] = [];
  for await (const { data } of readEvents(body)) {
    if (!data || data === "[DONE]") continue;
    const c = JSON.parse(data) as {
      error?: { message: string; code?: string };
      choices?: Array<{
        delta?: {
          content?: string | null;
          tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
        };
        finish_reason?: string | null;
      }>;
    };
    if (c.error) throw new ModelError(502, c.error.message, c.error.code);
    const choice = c.choices?.[0];
    if (choice?.delta?.content) yield { type: "text", text: choice.delta.content };
    for (const d of choice?.delta?.tool_calls ?? []) {
      const call = (calls[d.index] ??= { id: "", name: "", arguments: "" });
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name += d.function.name;
      if (d.function?.arguments) call.arguments += d.function.arguments;
    }
    if (choice?.finish_reason) {
      for (const call of calls.splice(0)) if (call) yield { type: "tool-call", call };
      yield { type: "finish", reason: choice.finish_reason };
    }
  }
}
