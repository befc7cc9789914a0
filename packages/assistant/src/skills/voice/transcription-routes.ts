import multipart from "@fastify/multipart";
import { GatewayError, holdAudioSeconds, metered, refuseBlockedOutput } from "@benih/gateway";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { DEFAULT_UPLOAD_BYTES } from "../../images/uploads.ts";
import { allowedMediaModel } from "../../media-model.ts";
import { checkAudio } from "./audio-check.ts";
import { estimateRecordingSeconds } from "./audio-seconds.ts";
import { cannotStream, cannotTranslate } from "./providers/errors.ts";
import { audioProviders } from "./providers/index.ts";
import type { AudioModelConfig } from "./providers/provider.ts";
import { relayTranscript } from "./transcript-stream.ts";

export interface TranscriptionRoutesOptions {
  /** `assistant.transcription`: providers' speech recognition models, each allowed or not by a market's allow-list. */
  models: readonly AudioModelConfig[];
  maxUploadBytes?: number;
  /** The longest recording transcribed (413 past it). Default 30 minutes. */
  maxAudioSeconds?: number;
  fetch?: typeof fetch;
}

export const TRANSCRIPTION_MISSING =
  "Speech recognition needs a model benih cannot ship: add one under assistant.transcription in benih.yaml (OpenAI's whisper-1 or gpt-4o-transcribe with an apiKey, or an OpenAI-compatible server such as Speaches or whisper.cpp's server by baseURL).";

const FORMATS = new Set(["json", "text", "srt", "verbose_json", "vtt"]);
const FIELDS = new Set(["model", "language", "prompt", "response_format", "temperature", "timestamp_granularities[]", "stream"]);

/** The form's file and fields, the file at most `maxBytes` (413). */
async function readForm(request: FastifyRequest, maxBytes: number) {
  if (!request.isMultipart())
    throw new GatewayError(
      400,
      "invalid_request_error",
      "send a multipart form: file (the recording), model, and optionally language, prompt, response_format, temperature",
      "invalid_body",
    );
  const fields: Record<string, string> = {};
  let file: { bytes: Buffer; name: string; type: string } | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === "file") {
        const bytes = await part.toBuffer();
        if (part.fieldname === "file") file = { bytes, name: part.filename || "audio", type: part.mimetype || "application/octet-stream" };
      } else if (FIELDS.has(part.fieldname)) fields[part.fieldname] = String(part.value).slice(0, 4096);
    }
  } catch (err) {
    if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE")
      throw new GatewayError(
        413,
        "invalid_request_error",
        `file: larger than ${Math.round(maxBytes / 1048576)} MB (assistant.uploadMaxMb)`,
        "file_too_large",
        "file",
      );
    throw err;
  }
  if (!file) throw new GatewayError(400, "invalid_request_error", "file: attach the recording", "invalid_body", "file");
  const format = fields.response_format ?? "json";
  if (!FORMATS.has(format))
    throw new GatewayError(
      400,
      "invalid_request_error",
      `response_format: one of ${[...FORMATS].join(", ")}`,
      "invalid_body",
      "response_format",
    );
  return { file, fields };
}

/**
 * `POST /v1/audio/transcriptions` and `/v1/audio/translations` (into English) on OpenAI's wire format, through a
 * configured provider: the recording is checked first (readable audio, not too long) and its seconds held against
 * the caller's audioSecondsPerDay (given back if the provider fails), and the transcript is held to the market's
 * content policy like any model's output. `stream=true` transcriptions come as OpenAI's server-sent events where
 * the provider streams.
 */
export function registerTranscriptionRoutes(app: FastifyInstance, o: TranscriptionRoutesOptions): void {
  const maxBytes = o.maxUploadBytes ?? DEFAULT_UPLOAD_BYTES;
  const providers = audioProviders(o.fetch);
  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 16 }, throwFileSizeLimit: true });
    for (const task of ["transcriptions", "translations"] as const) {
      scope.post(`/v1/audio/${task}`, metered(), async (request, reply) => {
        if (!o.models.length) throw new GatewayError(400, "invalid_request_error", TRANSCRIPTION_MISSING, "transcription_not_configured");
        const { file, fields } = await readForm(request, maxBytes);
        // Without `model` (the web app's microphone), the first the market allows.
        const model = allowedMediaModel(request, o.models, "transcription", fields.model || undefined);
        const provider = providers[model.type];
        if (!provider.transcribe)
          throw new GatewayError(
            400,
            "invalid_request_error",
            `model: ${model.name}/${model.model} does not recognise speech`,
            "model_not_supported",
            "model",
          );
        const stream = fields.stream === "true";
        if (stream && task === "translations")
          throw new GatewayError(
            400,
            "invalid_request_error",
            "stream: translations do not stream; leave it out",
            "invalid_body",
            "stream",
          );
        if (stream && !provider.transcribeStream) throw cannotStream(model);
        if (task === "translations" && !provider.translates) throw cannotTranslate(model);
        const seconds = await checkAudio(file.bytes, o.maxAudioSeconds ?? 1800);
        // Without ffprobe and ffmpeg on the server the length is unknown: the quota counts an estimate from the size.
        const counted = seconds ?? estimateRecordingSeconds(file.bytes.length);
        const hold = await holdAudioSeconds(request, reply, counted);
        const gone = new AbortController();
        reply.raw.once("close", () => reply.raw.writableFinished || gone.abort());
        const job = { task, file, fields, ...(seconds !== undefined && { seconds }) };
        const name = `${model.name}/${model.model}`;
        try {
          if (stream) {
            const events = await provider.transcribeStream!(model, job, gone.signal);
            // Once the provider has answered, the recording is counted, whether or not its transcript comes whole.
            hold.settle(counted);
            await relayTranscript(request, reply, events, name);
            return reply;
          }
          const r = await provider.transcribe(model, job, gone.signal);
          hold.settle(counted);
          refuseBlockedOutput(request, r.text, name);
          return reply.header("content-type", r.contentType).send(r.body);
        } finally {
          hold.undo(); // a provider that failed: nothing was heard (after a settle, this does nothing)
        }
      });
    }
  });
}
