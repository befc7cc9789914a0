import { GatewayError } from "@benih/gateway";
import { type HttpResponse, transportFor } from "@benih/providers";
import type { SpeechFormat } from "./formats.ts";

/** A speech model of `assistant.speech`: OpenAI's, or any server speaking its `/audio/speech` (Kokoro-FastAPI, Speaches, LocalAI). */
export interface SpeechModelConfig {
  name: string;
  type: "openai" | "openai-compatible";
  baseURL?: string;
  apiKey?: string;
  model: string;
}

export interface SpeechRequest {
  input: string;
  voice: string;
  format: SpeechFormat;
  speed: number;
  instructions?: string;
}

/** Where an `openai` audio model goes without a baseURL. */
export const OPENAI = "https://api.openai.com/v1";

/** A provider that could not be reached at all (refused, reset, DNS): 502 naming it. */
export const unreachable = (what: "speech" | "transcription", name: string, err: unknown) =>
  new GatewayError(
    502,
    "upstream_error",
    `The ${what} provider ${name} cannot be reached: ${(err as Error).message}`,
    "upstream_unreachable",
  );

/** A provider's error answer (OpenAI's `{ error: { message } }`, or any text) as an error for benih's caller. */
export function upstreamFailure(status: number, body: string, what: "speech" | "transcription" = "speech"): GatewayError {
  let message = body.slice(0, 300);
  try {
    message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? message;
  } catch {}
  return upstreamError(status, message, what);
}

/** What a speech or transcription provider's error means to benih's caller: its own mistakes pass through, the server's are 502. */
export function upstreamError(status: number, message: string, what: "speech" | "transcription" = "speech"): GatewayError {
  if (status === 400 || status === 422)
    return new GatewayError(400, "invalid_request_error", `The ${what} provider refused: ${message}`, `${what}_invalid`);
  if (status === 429)
    return new GatewayError(429, "rate_limit_error", `The ${what} provider is rate-limiting benih: ${message}`, "upstream_rate_limited");
  if (status === 401 || status === 403)
    return new GatewayError(
      502,
      "upstream_error",
      `The ${what} provider refused benih's key (${status}): check its apiKey`,
      "upstream_auth",
    );
  return new GatewayError(502, "upstream_error", `The ${what} provider failed (${status}): ${message}`, "upstream_error");
}

/**
 * Asks an upstream for speech, as OpenAI's API has it; resolves once its answer starts, with the audio to stream on
 * as it comes (time to first byte is the provider's, plus one hop).
 */
export async function upstreamSpeech(m: SpeechModelConfig, r: SpeechRequest, signal: AbortSignal, fetchImpl?: typeof fetch) {
  const base = (m.baseURL ?? OPENAI).replace(/\/+$/, "");
  let res: HttpResponse;
  try {
    // The providers' transport (undici's dispatch): a hop that adds next to nothing to the first audio byte.
    res = await transportFor(fetchImpl)(`${base}/audio/speech`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(m.apiKey && { authorization: `Bearer ${m.apiKey}` }) },
      body: JSON.stringify({
        model: m.model,
        input: r.input,
        voice: r.voice,
        response_format: r.format,
        speed: r.speed,
        ...(r.instructions && { instructions: r.instructions }),
      }),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw unreachable("speech", m.name, err);
  }
  if (res.status >= 400) throw upstreamFailure(res.status, await res.text().catch(() => ""));
  return { contentType: res.header("content-type") ?? "application/octet-stream", body: res.body };
}
