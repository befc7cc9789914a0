import type { EmbedOptions, EmbedResult, EmbeddingModel } from "@benih/spec";
import { ProviderFailureError, failureFromResponse, failureFromThrown } from "../shared/provider-failure.ts";
import { transportFor, type HttpResponse } from "../shared/transport.ts";
import type { OpenAICompatibleSettings } from "./settings.ts";

interface EmbeddingsBody {
  data?: Array<{ index?: unknown; embedding?: unknown }>;
  usage?: { prompt_tokens?: unknown };
}

/**
 * An upstream's `POST {baseURL}/embeddings`. Vectors are asked for as floats: every compatible server (Ollama,
 * vLLM, Ark, DashScope) answers those, while base64 is OpenAI's own; the gateway encodes for its client. `dimensions`
 * goes on as it came: the upstream knows what its model can give and answers 400 otherwise.
 */
export function openAICompatibleEmbeddingModel(modelId: string, settings: OpenAICompatibleSettings): EmbeddingModel {
  const provider = settings.name;
  const transport = transportFor(settings.fetch);
  const url = `${settings.baseURL.replace(/\/+$/, "")}/embeddings`;
  const headers = {
    "content-type": "application/json",
    ...(settings.apiKey && { authorization: `Bearer ${settings.apiKey}` }),
    ...settings.headers,
  };
  const invalid = (message: string) => new ProviderFailureError({ kind: "invalid-response", provider, message: `${provider} ${message}` });

  return {
    specificationVersion: "benih-1",
    provider,
    modelId,
    async doEmbed(o: EmbedOptions): Promise<EmbedResult> {
      const body = {
        model: modelId,
        input: o.inputs,
        encoding_format: "float",
        ...(o.dimensions !== undefined && { dimensions: o.dimensions }),
        ...(o.user !== undefined && { user: o.user }),
      };
      let res: HttpResponse;
      try {
        res = await transport(url, {
          method: "POST",
          headers: o.headers ? { ...headers, ...o.headers } : headers,
          body: JSON.stringify(body),
          ...(o.abortSignal && { signal: o.abortSignal }),
        });
      } catch (err) {
        throw failureFromThrown(provider, err, o.abortSignal);
      }
      if (res.status < 200 || res.status > 299) throw await failureFromResponse(provider, res);
      let json: EmbeddingsBody;
      try {
        json = (await res.json()) as EmbeddingsBody;
      } catch (err) {
        if (o.abortSignal?.aborted) throw failureFromThrown(provider, err, o.abortSignal);
        throw invalid("answered with a body that is not JSON");
      }
      if (!Array.isArray(json.data) || json.data.length !== o.inputs.length)
        throw invalid(`answered ${Array.isArray(json.data) ? json.data.length : "no"} embeddings for ${o.inputs.length} inputs`);
      // OpenAI documents `index` as the input's position; answers are put in input order whatever order they came in.
      const embeddings: number[][] = new Array(o.inputs.length);
      for (const [i, d] of json.data.entries()) {
        const at = typeof d.index === "number" ? d.index : i;
        if (!Number.isInteger(at) || at < 0 || at >= o.inputs.length || embeddings[at])
          throw invalid(
            `answered data[${i}] for input ${JSON.stringify(d.index)}, which is not one of the ${o.inputs.length} sent or came twice`,
          );
        if (!Array.isArray(d.embedding) || !d.embedding.every((x) => typeof x === "number"))
          throw invalid(`answered an embedding that is not a list of numbers (data[${i}])`);
        embeddings[at] = d.embedding as number[];
      }
      const tokens = json.usage?.prompt_tokens;
      return { embeddings, usage: { ...(typeof tokens === "number" && { inputTokens: tokens }) } };
    },
  };
}
