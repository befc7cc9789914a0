import { randomUUID } from "node:crypto";
import { GatewayError } from "@benih/gateway";
import { type HttpResponse, transportFor } from "@benih/providers";
import { SPEECH_FORMATS, type SpeechFormat } from "../../formats.ts";
import { unreachable, upstreamError } from "../errors.ts";
import { type AudioModelConfig, baseOf, type SpeechAudio, type SpeechRequest } from "../provider.ts";
import { volcanoVoice } from "./voices.ts";

/** Where a `volcengine` model goes without a baseURL. */
export const OPENSPEECH = "https://openspeech.bytedance.com";

/** The HTTP API's `encoding` for each OpenAI format it can give; aac and flac it cannot. */
const ENCODINGS: Partial<Record<SpeechFormat, string>> = { mp3: "mp3", wav: "wav", pcm: "pcm", opus: "ogg_opus" };

/** The `speed_ratio` range its documentation gives. */
const SPEED = { min: 0.8, max: 2 };

/** Its `code` 3000: the audio is in `data`, base64. */
const SUCCESS = 3000;

/**
 * What a failed synthesis means for benih's caller, by its documented codes: 3001 invalid parameters, 3010 text too
 * long, 3011 invalid text and 3050 unknown voice are the request's; 3003 is the concurrency limit (unless the trial's
 * lifetime quota is spent, which is the operator's to fix); the rest (3005 busy, 3006, 303x, 3040) are the service's.
 * A refused token shows as HTTP 401/403, or in the message ("authenticate request: load grant: …").
 */
function failure(httpStatus: number, code: number | undefined, message: string) {
  if (httpStatus === 401 || httpStatus === 403 || /authenticate request|grant not found/i.test(message))
    return upstreamError(401, message, "speech");
  if (code === 3003 || httpStatus === 429)
    return /lifetime/i.test(message) ? upstreamError(402, message, "speech") : upstreamError(429, message, "speech");
  if (code === 3001 || code === 3010 || code === 3011 || code === 3050) return upstreamError(400, `${message} (code ${code})`, "speech");
  return upstreamError(httpStatus >= 400 ? httpStatus : 502, code ? `${message} (code ${code})` : message, "speech");
}

/**
 * Volcano Engine's speech synthesis over its HTTP API (`POST /api/v1/tts`, operation "query"): the whole audio in
 * one JSON answer, base64. The model is the cluster (volcano_tts), appId the app, apiKey its access token.
 */
export async function speakVolcano(
  m: AudioModelConfig,
  r: SpeechRequest,
  signal: AbortSignal,
  fetchImpl?: typeof fetch,
): Promise<SpeechAudio> {
  const encoding = ENCODINGS[r.format];
  if (!encoding)
    throw new GatewayError(
      400,
      "invalid_request_error",
      `response_format: ${m.name}/${m.model} (Volcano Engine) gives mp3, opus, wav or pcm, not ${r.format}`,
      "unsupported_format",
      "response_format",
    );
  if (r.speed < SPEED.min || r.speed > SPEED.max)
    throw new GatewayError(
      400,
      "invalid_request_error",
      `speed: ${m.name}/${m.model} (Volcano Engine) speaks at ${SPEED.min} to ${SPEED.max} times normal speed`,
      "invalid_body",
      "speed",
    );
  const token = m.apiKey ?? "";
  let res: HttpResponse;
  try {
    res = await transportFor(fetchImpl)(`${baseOf(m, OPENSPEECH)}/api/v1/tts`, {
      method: "POST",
      // Its documented form: "Bearer;" and the token, with a semicolon.
      headers: { "content-type": "application/json", authorization: `Bearer;${token}` },
      body: JSON.stringify({
        app: { appid: m.appId ?? "", token, cluster: m.model },
        user: { uid: "benih" },
        audio: {
          voice_type: volcanoVoice(r.voice, r.input),
          encoding,
          speed_ratio: r.speed,
          // OpenAI's pcm is 24 kHz; so is its default, said here so that the two cannot drift apart.
          rate: 24000,
        },
        request: { reqid: randomUUID(), text: r.input, operation: "query" },
      }),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw unreachable("speech", m.name, err);
  }
  const raw = await res.text().catch(() => "");
  let answer: { code?: number; message?: string; data?: string } = {};
  try {
    answer = JSON.parse(raw) as typeof answer;
  } catch {}
  if (res.status >= 400 || answer.code !== SUCCESS)
    throw failure(res.status, answer.code, answer.message ?? (raw.slice(0, 300) || `HTTP ${res.status}`));
  if (!answer.data) throw upstreamError(502, "it answered success without audio", "speech");
  const audio = new Uint8Array(Buffer.from(answer.data, "base64"));
  return {
    contentType: SPEECH_FORMATS[r.format].contentType,
    body: (async function* () {
      yield audio;
    })(),
  };
}
