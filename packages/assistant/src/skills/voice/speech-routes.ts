import { Readable } from "node:stream";
import { GatewayError, holdAudioSeconds, metered, refuseBlocked } from "@benih/gateway";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { parse } from "../../http.ts";
import { allowedMediaModel } from "../../media-model.ts";
import { estimateSpeechSeconds, SpeechMeter } from "./audio-seconds.ts";
import { espeakSpeech } from "./espeak.ts";
import { SPEECH_FORMATS, type SpeechFormat } from "./formats.ts";
import { speechLanguage } from "./language.ts";
import { audioProviders } from "./providers/index.ts";
import type { AudioModelConfig } from "./providers/provider.ts";
import { espeakVoice, isOpenAiVoice, OPENAI_VOICES } from "./voices.ts";

/** The model that speaks with no provider: espeak-ng on the server, in every market (nothing leaves the machine). */
export const OFFLINE_SPEECH_MODEL = "espeak-ng";

export interface SpeechRoutesOptions {
  /** `assistant.speech`: providers' speech models, each allowed or not by a market's allow-list. */
  models: readonly AudioModelConfig[];
  /** The request's market's language (BCP 47), which the offline model speaks. */
  localeOf?(request: FastifyRequest): string | undefined;
  /** How providers are reached (tests and benches pass their own); the network otherwise. */
  fetch?: typeof fetch;
}

/** OpenAI's limit on `input`, kept for every model: a budget checked before any synthesis. */
export const MAX_SPEECH_CHARS = 4096;

export const speechBody = z.strictObject({
  model: z.string().min(1),
  input: z.string().trim().min(1, "input: give the text to speak").max(MAX_SPEECH_CHARS, `input: at most ${MAX_SPEECH_CHARS} characters`),
  voice: z.string().min(1).max(64),
  response_format: z.enum(Object.keys(SPEECH_FORMATS) as [SpeechFormat, ...SpeechFormat[]]).default("mp3"),
  speed: z.number().min(0.25).max(4).default(1),
  instructions: z.string().max(MAX_SPEECH_CHARS).optional(),
  stream_format: z.literal("audio").optional(),
});

/**
 * `POST /v1/audio/speech` on OpenAI's wire format: the offline `espeak-ng`, or a configured provider's model. The
 * speech's likely seconds are held against the caller's audioSecondsPerDay before any synthesis, then settled on
 * what was produced: exactly for espeak-ng, WAV and PCM; other formats keep the estimate.
 */
export function registerSpeechRoutes(app: FastifyInstance, o: SpeechRoutesOptions): void {
  const providers = audioProviders(o.fetch);
  app.post("/v1/audio/speech", metered(), async (request, reply) => {
    const body = parse(speechBody, request.body);
    const offline = body.model === OFFLINE_SPEECH_MODEL;
    const model = offline ? undefined : allowedMediaModel(request, o.models, "speech", body.model);
    refuseBlocked(request, body.input, model ? `${model.name}/${model.model}` : OFFLINE_SPEECH_MODEL);
    if (!model) {
      if (!isOpenAiVoice(body.voice))
        throw new GatewayError(400, "invalid_request_error", `voice: one of ${OPENAI_VOICES.join(", ")}`, "unknown_voice", "voice");
      const voice = espeakVoice(speechLanguage(body.input, o.localeOf?.(request)), body.voice);
      const hold = await holdAudioSeconds(request, reply, estimateSpeechSeconds(body.input, body.speed));
      const spoken = await espeakSpeech(body.input, voice, body.speed, body.response_format).catch((err: unknown) => {
        hold.undo();
        throw err;
      });
      hold.settle(spoken.seconds);
      return reply.header("content-type", SPEECH_FORMATS[body.response_format].contentType).send(spoken.audio);
    }
    const estimate = estimateSpeechSeconds(body.input, body.speed);
    const hold = await holdAudioSeconds(request, reply, estimate);
    // The provider's audio is passed on as it comes; the client going away stops the provider's work too.
    const gone = new AbortController();
    reply.raw.once("close", () => reply.raw.writableFinished || gone.abort());
    const r = {
      input: body.input,
      voice: body.voice,
      format: body.response_format,
      speed: body.speed,
      ...(body.instructions && { instructions: body.instructions }),
    };
    const { contentType, body: audio } = await providers[model.type].speak(model, r, gone.signal).catch((err: unknown) => {
      hold.undo();
      throw err;
    });
    // Settled once the response is over: on the seconds that came when they can be counted. A reply cut short keeps
    // the estimate, since the provider made (and bills) the whole of it.
    const meter = new SpeechMeter(body.response_format);
    reply.raw.once("close", () => hold.settle(reply.raw.writableFinished ? (meter.seconds() ?? estimate) : estimate));
    async function* counted() {
      for await (const chunk of audio) {
        meter.add(chunk);
        yield chunk;
      }
    }
    reply.header("content-type", contentType);
    return reply.send(Readable.from(counted(), { objectMode: false }));
  });
}
