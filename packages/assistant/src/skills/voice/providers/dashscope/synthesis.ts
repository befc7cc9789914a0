import { upstreamError } from "../errors.ts";
import { GatewayError } from "@benih/gateway";
import { SPEECH_FORMATS, type SpeechFormat } from "../../formats.ts";
import type { AudioModelConfig, SpeechAudio, SpeechRequest } from "../provider.ts";
import { startTask } from "./task.ts";
import { cosyVoice } from "./voices.ts";

/** The formats CosyVoice writes (its `format` parameter); aac and flac it does not. */
const FORMATS: Partial<Record<SpeechFormat, string>> = { mp3: "mp3", wav: "wav", pcm: "pcm", opus: "opus" };

/** CosyVoice's `rate`: 0.5 to 2 times the voice's normal speed. */
const RATE = { min: 0.5, max: 2 } as const;

/** 24 kHz, a documented `sample_rate`: OpenAI's `pcm` is 24 kHz, so every format uses it. */
const SAMPLE_RATE = 24_000;

/** The longest a synthesis of 4,096 characters may take, first byte to last. */
const LIMIT_MS = 180_000;

function refuse(message: string, param: string): never {
  throw new GatewayError(400, "invalid_request_error", message, "speech_invalid", param);
}

/**
 * CosyVoice over DashScope's WebSocket API: run-task (tts, SpeechSynthesizer), the text in one continue-task, then
 * finish-task. Audio comes as binary frames and is passed on as each arrives; the answer starts with the first frame,
 * so a failure before any audio is still an HTTP error the caller can act on.
 */
export async function synthesize(m: AudioModelConfig, r: SpeechRequest, signal: AbortSignal): Promise<SpeechAudio> {
  const format = FORMATS[r.format];
  if (!format)
    refuse(`response_format: ${m.name}/${m.model} speaks ${Object.keys(FORMATS).join(", ")}; not ${r.format}`, "response_format");
  if (r.speed < RATE.min || r.speed > RATE.max)
    refuse(`speed: ${m.name}/${m.model} speaks at ${RATE.min} to ${RATE.max} times its normal speed`, "speed");
  const task = await startTask(
    m,
    "speech",
    {
      task_group: "audio",
      task: "tts",
      function: "SpeechSynthesizer",
      model: m.model,
      parameters: { text_type: "PlainText", voice: cosyVoice(m.model, r.voice), format, sample_rate: SAMPLE_RATE, rate: r.speed },
      input: {},
    },
    signal,
    LIMIT_MS,
  );
  task.continueWith({ text: r.input });
  task.finish();
  const messages = task.messages();
  // Read up to the first audio frame by hand: a `for await` left early would end the generator.
  let first: IteratorResult<unknown>;
  try {
    do first = await messages.next();
    while (!first.done && !(first.value instanceof Uint8Array));
  } catch (err) {
    task.close();
    throw err;
  }
  if (first.done) {
    task.close();
    throw upstreamError(502, "it finished the task without sending any audio", "speech");
  }
  const start = first.value as Uint8Array;
  async function* body() {
    try {
      yield start;
      for await (const msg of messages) if (msg instanceof Uint8Array) yield msg;
    } finally {
      task.close();
    }
  }
  return { contentType: SPEECH_FORMATS[r.format].contentType, body: body() };
}
