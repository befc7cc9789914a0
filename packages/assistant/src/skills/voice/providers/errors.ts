import { GatewayError } from "@benih/gateway";

export type AudioTask = "speech" | "transcription";

/** A provider that could not be reached at all (refused, reset, DNS): 502 naming it. */
export const unreachable = (what: AudioTask, name: string, err: unknown) =>
  new GatewayError(
    502,
    "upstream_error",
    `The ${what} provider ${name} cannot be reached: ${(err as Error).message}`,
    "upstream_unreachable",
  );

/** What a provider's error means to benih's caller: its own mistakes pass through, the server's are 502. */
export function upstreamError(status: number, message: string, what: AudioTask): GatewayError {
  if (status === 400 || status === 413 || status === 422)
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

/** `stream=true` for a model whose provider cannot stream its transcript (OpenAI's whisper-1, for one). */
export const cannotStream = (model: AudioModelName) =>
  new GatewayError(
    400,
    "invalid_request_error",
    `stream: ${model.name}/${model.model} does not stream transcripts; leave stream out, or pick a model that does (OpenAI's gpt-4o-transcribe, for one)`,
    "stream_not_supported",
    "stream",
  );

type AudioModelName = { name: string; model: string };

/** `/v1/audio/translations` for a model whose provider only transcribes (Volcano Engine, DashScope). */
export const cannotTranslate = (model: AudioModelName) =>
  new GatewayError(
    400,
    "invalid_request_error",
    `model: ${model.name}/${model.model} transcribes speech in its own language but does not translate it; use /v1/audio/transcriptions, or a model that translates`,
    "model_not_supported",
    "model",
  );
