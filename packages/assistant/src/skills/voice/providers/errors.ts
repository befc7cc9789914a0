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

/** A transcript's words: `text` of a JSON answer, else the answer itself (text, SRT, VTT). */
export function transcriptText(contentType: string, body: string): string {
  if (!contentType.includes("json")) return body;
  try {
    return String((JSON.parse(body) as { text?: unknown }).text ?? "");
  } catch {
    return body;
  }
}

/** `stream=true` for a model whose provider cannot stream its transcript (OpenAI's whisper-1, for one). */
export const cannotStream = (model: AudioModelName) =>
  new GatewayError(
    400,
    "invalid_request_error",
    `stream: ${model.name}/${model.model} does not stream transcripts; leave stream out, or pick a model that does (gpt-4o-transcribe, gpt-4o-mini-transcribe)`,
    "stream_not_supported",
    "stream",
  );

type AudioModelName = { name: string; model: string };
