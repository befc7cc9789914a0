import { randomUUID } from "node:crypto";
import { GatewayError } from "@benih/gateway";
import { type HttpResponse, transportFor } from "@benih/providers";
import { unreachable, upstreamError } from "../errors.ts";
import { type AudioModelConfig, baseOf, type Transcript, type TranscriptionRequest } from "../provider.ts";
import { OPENSPEECH } from "./speech.ts";
import { formatTranscript, type Segment } from "../transcript-formats.ts";

/**
 * The languages its recorded-file recognition can be told (`audio.language`), by the ISO 639-1 code OpenAI's
 * `language` takes, with the name verbose_json gives. Without one it hears Mandarin, English and Chinese dialects;
 * so Chinese is not passed on.
 */
const LANGUAGES: Record<string, { code?: string; name: string }> = {
  zh: { name: "chinese" },
  en: { code: "en-US", name: "english" },
  ja: { code: "ja-JP", name: "japanese" },
  id: { code: "id-ID", name: "indonesian" },
  es: { code: "es-MX", name: "spanish" },
  pt: { code: "pt-BR", name: "portuguese" },
  de: { code: "de-DE", name: "german" },
  fr: { code: "fr-FR", name: "french" },
  ko: { code: "ko-KR", name: "korean" },
  fil: { code: "fil-PH", name: "filipino" },
  ms: { code: "ms-MY", name: "malay" },
  th: { code: "th-TH", name: "thai" },
  ar: { code: "ar-SA", name: "arabic" },
};

/** The containers the flash API reads (WAV, MP3, Ogg Opus), by their first bytes, as its `audio.format`. */
function containerOf(bytes: Buffer): "wav" | "mp3" | "ogg" | undefined {
  const head = bytes.subarray(0, 4).toString("latin1");
  if (head === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WAVE") return "wav";
  if (head === "OggS") return "ogg";
  if (head.startsWith("ID3") || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0)) return "mp3";
  return undefined;
}

const SUCCESS = "20000000";
/** Silence: a recording with nothing said transcribes to no words. */
const SILENT = "20000003";

/**
 * A failed recognition by its documented X-Api-Status-Code: 45000001 invalid parameters, 45000002 empty audio and
 * 45000151 bad audio format are the request's; 55000031 (busy) and other 550xxxxx are the service's. A refused app
 * key or access token comes as HTTP 401 or 403 (45000010, 45000030 in practice).
 */
function failure(httpStatus: number, code: string, message: string) {
  const detail = `${message || "no message"} (status ${code || "none"})`;
  if (httpStatus === 401 || httpStatus === 403) return upstreamError(httpStatus, detail, "transcription");
  if (httpStatus === 429) return upstreamError(429, detail, "transcription");
  if (code.startsWith("45")) return upstreamError(400, detail, "transcription");
  return upstreamError(httpStatus >= 400 ? httpStatus : 502, detail, "transcription");
}

interface FlashAnswer {
  audio_info?: { duration?: number };
  result?: { text?: string; utterances?: Array<{ start_time?: number; end_time?: number; text?: string }> };
}

/**
 * Volcano Engine's recorded-file recognition, "flash" edition (`POST /api/v3/auc/bigmodel/recognize/flash`): the
 * recording goes base64 in one request and the transcript comes back in its answer. The model is the resource id
 * (volc.bigasr.auc_turbo), appId the app key, apiKey the access token. It transcribes; it does not translate.
 */
export async function transcribeVolcano(
  m: AudioModelConfig,
  r: TranscriptionRequest,
  signal: AbortSignal,
  fetchImpl?: typeof fetch,
): Promise<Transcript> {
  const format = containerOf(r.file.bytes);
  if (!format)
    throw new GatewayError(
      400,
      "invalid_request_error",
      `file: ${m.name}/${m.model} (Volcano Engine) reads WAV, MP3 or Ogg Opus recordings; send one of those`,
      "unsupported_audio_format",
      "file",
    );
  const wanted = r.fields.language?.toLowerCase().split("-")[0];
  const language = wanted ? LANGUAGES[wanted] : undefined;
  let res: HttpResponse;
  try {
    res = await transportFor(fetchImpl)(`${baseOf(m, OPENSPEECH)}/api/v3/auc/bigmodel/recognize/flash`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-app-key": m.appId ?? "",
        "x-api-access-key": m.apiKey ?? "",
        "x-api-resource-id": m.model,
        "x-api-request-id": randomUUID(),
        "x-api-sequence": "-1",
      },
      body: JSON.stringify({
        user: { uid: "benih" },
        audio: { data: r.file.bytes.toString("base64"), format, ...(language?.code && { language: language.code }) },
        request: { model_name: "bigmodel", enable_itn: true, enable_punc: true, show_utterances: true },
      }),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw unreachable("transcription", m.name, err);
  }
  const raw = await res.text().catch(() => "");
  const code = res.header("x-api-status-code") ?? "";
  if (code !== SUCCESS && code !== SILENT) throw failure(res.status, code, res.header("x-api-message") ?? raw.slice(0, 300));
  let answer: FlashAnswer = {};
  try {
    answer = JSON.parse(raw) as FlashAnswer;
  } catch {
    if (code === SUCCESS) throw upstreamError(502, `its answer is not JSON: ${raw.slice(0, 120)}`, "transcription");
  }
  const text = (answer.result?.text ?? "").trim();
  const duration = answer.audio_info?.duration !== undefined ? answer.audio_info.duration / 1000 : (r.seconds ?? 0);
  const utterances = answer.result?.utterances ?? [];
  const segments: Segment[] = utterances.length
    ? utterances.map((u) => ({ start: (u.start_time ?? 0) / 1000, end: (u.end_time ?? 0) / 1000, text: (u.text ?? "").trim() }))
    : text
      ? [{ start: 0, end: duration, text }]
      : [];
  // Without a language from the client, the script tells Chinese from the rest; the service does not say.
  const name = language?.name ?? (/\p{Script=Han}/u.test(text) ? "chinese" : "english");
  return formatTranscript(r.fields.response_format ?? "json", { text, segments, duration, language: name });
}
