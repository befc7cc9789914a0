import type { CallOptions } from "@benih/spec";
import type { LlamaGrammar } from "node-llama-cpp";
import { ProviderFailureError } from "../shared/provider-failure.ts";
import type { Loaded } from "./loaded-models.ts";
import { getRuntime } from "./runtime.ts";

/**
 * What a local model cannot do: images, and tool calls where its chat template does not render them, are refused
 * (the gateway tries the next target).
 */
export function refuseUnsupported(provider: string, modelId: string, o: CallOptions, rendersTools: boolean): void {
  const unsupported = (message: string) => new ProviderFailureError({ kind: "unsupported", provider, message });
  if (o.tools?.length && o.toolChoice !== "none" && !rendersTools) throw unsupported(`model ${modelId} does not support tool calling`);
  if (o.prompt.some((m) => m.role === "user" && m.content.some((p) => p.type === "image")))
    throw unsupported(`model ${modelId} does not accept images`);
}

/** UTF-8 bytes of a prompt's text (what the chat template adds only makes it longer). */
function promptBytes(prompt: CallOptions["prompt"]): number {
  let n = 0;
  for (const m of prompt) {
    if (typeof m.content === "string") n += Buffer.byteLength(m.content);
    else
      for (const p of m.content)
        n += Buffer.byteLength(p.type === "text" ? p.text : p.type === "tool-call" ? p.input : p.type === "tool-result" ? p.output : "");
  }
  return n;
}

export const tooLong = (provider: string, message: string) => new ProviderFailureError({ kind: "too-long", provider, message });

/**
 * Tokenising costs the event loop about 0.3 s a megabyte: a prompt that cannot fit even if every token were the
 * vocabulary's longest is refused before any of that work.
 */
export function refuseHopelesslyLong(provider: string, modelId: string, state: Loaded, prompt: CallOptions["prompt"]): void {
  const bytes = promptBytes(prompt);
  const atLeast = Math.ceil(bytes / state.maxTokenBytes);
  if (atLeast > state.context.contextSize) {
    throw tooLong(
      provider,
      `the prompt is at least ${atLeast} tokens (${bytes} bytes); model ${modelId} has a context of ${state.context.contextSize}`,
    );
  }
}

/** JSON mode through a grammar: any JSON object, or the request's schema where it gave one. */
export async function grammarFor(state: Loaded, o: CallOptions): Promise<LlamaGrammar | undefined> {
  if (o.responseFormat?.type !== "json") return undefined;
  const { llama } = await getRuntime();
  if (o.responseFormat.schema) {
    try {
      return await llama.createGrammarForJsonSchema(o.responseFormat.schema as never);
    } catch (err) {
      throw new ProviderFailureError({
        kind: "unsupported",
        provider: "llama-cpp",
        message: `the JSON schema cannot be enforced locally: ${(err as Error).message}`,
      });
    }
  }
  return (state.json ??= llama.getGrammarFor("json"));
}
