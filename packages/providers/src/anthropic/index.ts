import type { CallOptions, ChatModel, GenerateResult, ModelInfo, Provider, StreamResult } from "@benih/spec";
import { ProviderFailureError, failureFromResponse, failureFromThrown } from "../shared/provider-failure.ts";
import { transportFor, type HttpRequest, type HttpResponse } from "../shared/transport.ts";
import { prepend } from "../shared/prepend.ts";
import { mapAnthropicStopReason } from "./finish-reason.ts";
import { anthropicStreamParts } from "./stream-parts.ts";
import { toAnthropicRequest } from "./to-anthropic-request.ts";

export interface AnthropicSettings {
  name?: string;
  /** Without the version segment: `https://api.anthropic.com`. */
  baseURL?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** The Messages API requires max_tokens; used when the request gives none. */
  defaultMaxTokens?: number;
}

const API_VERSION = "2023-06-01";

export function createAnthropic(s: AnthropicSettings = {}): Provider {
  const name = s.name ?? "anthropic";
  const base = (s.baseURL ?? "https://api.anthropic.com").replace(/\/+$/, "").replace(/\/v1$/, "");
  const transport = transportFor(s.fetch);
  const headers = (extra?: Record<string, string>) => ({
    "content-type": "application/json",
    "anthropic-version": API_VERSION,
    ...(s.apiKey && { "x-api-key": s.apiKey }),
    ...s.headers,
    ...extra,
  });
  const request = async (path: string, init: HttpRequest) => {
    let res: HttpResponse;
    try {
      res = await transport(base + path, init);
    } catch (err) {
      throw failureFromThrown(name, err, init.signal);
    }
    if (res.status < 200 || res.status > 299) throw await failureFromResponse(name, res);
    return res;
  };

  const chatModel = (modelId: string): ChatModel => ({
    specificationVersion: "benih-1",
    provider: name,
    modelId,
    capabilities: { tools: true, jsonMode: false, images: true },
    async doGenerate(o: CallOptions): Promise<GenerateResult> {
      const { body, warnings } = toAnthropicRequest(modelId, o, false, s.defaultMaxTokens ?? 4096);
      const res = await request("/v1/messages", {
        method: "POST",
        headers: headers(o.headers),
        body: JSON.stringify(body),
        ...(o.abortSignal && { signal: o.abortSignal }),
      });
      const json = (await res.json().catch(() => undefined)) as
        | {
            id?: string;
            model?: string;
            content?: Array<{ type: string; text?: string; id?: string; name?: string; input?: unknown }>;
            stop_reason?: string;
            usage?: { input_tokens?: number; output_tokens?: number };
          }
        | undefined;
      if (!json?.content) {
        throw new ProviderFailureError({ kind: "invalid-response", provider: name, message: `${name} answered without content` });
      }
      return {
        content: json.content.flatMap((b): GenerateResult["content"] => {
          if (b.type === "text" && b.text) return [{ type: "text", text: b.text }];
          if (b.type === "tool_use") {
            return [{ type: "tool-call", toolCallId: b.id ?? "", toolName: b.name ?? "", input: JSON.stringify(b.input ?? {}) }];
          }
          return [];
        }),
        finishReason: mapAnthropicStopReason(json.stop_reason),
        usage: { inputTokens: json.usage?.input_tokens, outputTokens: json.usage?.output_tokens },
        warnings,
        response: { ...(json.id && { id: json.id }), ...(json.model && { modelId: json.model }) },
      };
    },
    async doStream(o: CallOptions): Promise<StreamResult> {
      const { body, warnings } = toAnthropicRequest(modelId, o, true, s.defaultMaxTokens ?? 4096);
      const res = await request("/v1/messages", {
        method: "POST",
        headers: headers(o.headers),
        body: JSON.stringify(body),
        ...(o.abortSignal && { signal: o.abortSignal }),
      });
      const parts = anthropicStreamParts(name, res.body, o.abortSignal);
      if (!warnings.length) return { stream: parts };
      return { stream: prepend({ type: "stream-start", warnings }, parts) };
    },
  });

  return {
    name,
    chatModel,
    async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
      const res = await request("/v1/models?limit=1000", { method: "GET", headers: headers(), ...(signal && { signal }) });
      const json = (await res.json()) as { data?: Array<{ id?: string; created_at?: string }> };
      return (json.data ?? []).flatMap((m) =>
        m.id ? [{ id: m.id, ownedBy: "anthropic", ...(m.created_at && { created: Math.floor(Date.parse(m.created_at) / 1000) }) }] : [],
      );
    },
  };
}
