import type { SpeechFormat } from "../formats.ts";

/**
 * A speech or speech recognition model of `assistant.speech` / `assistant.transcription`. `name` is the provider in
 * market allow-lists (models are checked as `name/model`); `type` picks the folder under providers/ that speaks its
 * API. `appId` is Volcano Engine's application id (its console names one per app); other providers have none.
 */
export interface AudioModelConfig {
  name: string;
  type: AudioProviderType;
  baseURL?: string;
  apiKey?: string;
  appId?: string;
  model: string;
}

export type AudioProviderType = "openai" | "openai-compatible" | "volcengine" | "dashscope";

export interface SpeechRequest {
  input: string;
  /** OpenAI's voice names, or the provider's own voice id. */
  voice: string;
  format: SpeechFormat;
  speed: number;
  instructions?: string;
}

/** Audio as it comes from the provider: benih passes it on chunk by chunk. */
export interface SpeechAudio {
  contentType: string;
  body: AsyncIterable<Uint8Array>;
}

export interface TranscriptionRequest {
  task: "transcriptions" | "translations";
  file: { bytes: Buffer; name: string; type: string };
  /** The form's other fields as the client sent them (language, prompt, response_format, temperature). */
  fields: Record<string, string>;
  /** The recording's length, measured before it was sent (unknown for some streams, such as a browser's WebM). */
  seconds?: number;
}

/** A transcript in the format the client asked for (`response_format`: json, text, srt, vtt or verbose_json). */
export interface Transcript {
  contentType: string;
  body: string;
  /** The words alone, which the market's content policy reads. */
  text: string;
}

/** A streamed transcript's events as they come: words, then the whole transcript (with the provider's usage, if any). */
export type TranscriptEvent = { type: "delta"; delta: string } | { type: "done"; text: string; usage?: unknown };

/** One provider's audio API: what it cannot do (recognise, translate into English, stream a transcript) it leaves out. */
export interface AudioProvider {
  /** Whether `transcribe` also does OpenAI's `translations` (speech in any language written out in English). */
  translates: boolean;
  speak(model: AudioModelConfig, request: SpeechRequest, signal: AbortSignal): Promise<SpeechAudio>;
  transcribe?(model: AudioModelConfig, request: TranscriptionRequest, signal: AbortSignal): Promise<Transcript>;
  /** `stream=true` transcriptions; a provider (or model: throws 400) that cannot stream leaves it out. */
  transcribeStream?(model: AudioModelConfig, request: TranscriptionRequest, signal: AbortSignal): Promise<AsyncIterable<TranscriptEvent>>;
}

/** Where a model's API is: its `baseURL`, else the provider's own address; without a trailing slash. */
export const baseOf = (m: AudioModelConfig, otherwise: string) => (m.baseURL ?? otherwise).replace(/\/+$/, "");
