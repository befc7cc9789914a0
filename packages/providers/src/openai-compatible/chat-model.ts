import type { CallOptions, ChatModel, GenerateResult, ModelCapabilities, StreamResult } from "@benih/spec";
import { ProviderFailureError, failureFromResponse, failureFromThrown } from "../shared/provider-failure.ts";
import { transportFor, type HttpResponse, type Transport } from "../shared/transport.ts";
import { prepend } from "../shared/prepend.ts";
import { mapOpenAIFinishReason } from "./finish-reason.ts";
import type { OpenAICompatibleSettings, Quirks } from "./settings.ts";
import { openAIStreamParts } from "./stream-parts.ts";
import { toOpenAIRequest } from "./to-openai-request.ts";

interface CompletionBody {
  id?: string;
  model?: string;
  created?: number;
  choices?: Array<{
    message?: { content?: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> };
    finish_reason?: string;
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export class OpenAICompatibleChatModel implements ChatModel {
  readonly specificationVersion = "benih-1" as const;
  readonly provider: string;
  private readonly transport: Transport;
  private readonly url: string;
  /** The headers every call sends, built once. */
  private readonly headers: Record<string, string>;

  constructor(
    readonly modelId: string,
    settings: OpenAICompatibleSettings,
    private readonly quirks: Quirks,
    readonly capabilities: ModelCapabilities,
  ) {
    this.provider = settings.name;
    this.transport = transportFor(settings.fetch);
    this.url = `${settings.baseURL.replace(/\/+$/, "")}${settings.chatPath ?? "/chat/completions"}`;
    this.headers = {
      "content-type": "application/json",
      ...(settings.apiKey && { authorization: `Bearer ${settings.apiKey}` }),
      ...settings.headers,
    };
  }

  private async post(body: Record<string, unknown>, o: CallOptions): Promise<HttpResponse> {
    let res: HttpResponse;
    try {
      res = await this.transport(this.url, {
        method: "POST",
        headers: o.headers ? { ...this.headers, ...o.headers } : this.headers,
        body: JSON.stringify(body),
        ...(o.abortSignal && { signal: o.abortSignal }),
      });
    } catch (err) {
      throw failureFromThrown(this.provider, err, o.abortSignal);
    }
    if (res.status < 200 || res.status > 299) throw await failureFromResponse(this.provider, res);
    return res;
  }

  async doGenerate(o: CallOptions): Promise<GenerateResult> {
    const { body, warnings } = toOpenAIRequest(this.modelId, o, this.quirks, false);
    const res = await this.post(body, o);
    let json: CompletionBody;
    try {
      json = (await res.json()) as CompletionBody;
    } catch (err) {
      if (o.abortSignal?.aborted) throw failureFromThrown(this.provider, err, o.abortSignal);
      throw new ProviderFailureError({
        kind: "invalid-response",
        provider: this.provider,
        message: `${this.provider} answered with a body that is not JSON`,
      });
    }
    const choice = json.choices?.[0];
    if (!choice?.message) {
      throw new ProviderFailureError({
        kind: "invalid-response",
        provider: this.provider,
        message: `${this.provider} answered without choices[0].message`,
      });
    }
    const content: GenerateResult["content"] = [];
    if (choice.message.content) content.push({ type: "text", text: choice.message.content });
    for (const tc of choice.message.tool_calls ?? []) {
      content.push({ type: "tool-call", toolCallId: tc.id, toolName: tc.function.name, input: tc.function.arguments });
    }
    return {
      content,
      finishReason: mapOpenAIFinishReason(choice.finish_reason),
      usage: { inputTokens: json.usage?.prompt_tokens, outputTokens: json.usage?.completion_tokens },
      warnings,
      response: {
        ...(json.id && { id: json.id }),
        ...(json.model && { modelId: json.model }),
        ...(json.created && { created: json.created }),
      },
    };
  }

  async doStream(o: CallOptions): Promise<StreamResult> {
    const { body, warnings } = toOpenAIRequest(this.modelId, o, this.quirks, true);
    const res = await this.post(body, o);
    const parts = openAIStreamParts(this.provider, res.body, o.abortSignal);
    if (!warnings.length) return { stream: parts };
    return { stream: prepend({ type: "stream-start", warnings }, parts) };
  }
}
