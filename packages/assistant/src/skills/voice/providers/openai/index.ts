import { type HttpResponse, transportFor } from "@benih/providers";
import { cannotStream, unreachable, upstreamError } from "../errors.ts";
import { transcriptText } from "../transcript-formats.ts";
import { type AudioModelConfig, type AudioProvider, baseOf, type TranscriptEvent, type TranscriptionRequest } from "../provider.ts";
import { transcriptEvents } from "./transcript-events.ts";

/** Where an `openai` audio model goes without a baseURL. */
export const OPENAI = "https://api.openai.com/v1";

/** OpenAI's `{ error: { message } }`, or any text. */
function failure(status: number, body: string, what: "speech" | "transcription") {
  let message = body.slice(0, 300);
  try {
    message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? message;
  } catch {}
  return upstreamError(status, message, what);
}

/** Sends a recording to `/audio/transcriptions` or `/translations` as OpenAI's multipart form. */
async function postRecording(
  fetchImpl: typeof fetch,
  m: AudioModelConfig,
  r: TranscriptionRequest,
  signal: AbortSignal,
  stream: boolean,
): Promise<Response> {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(r.file.bytes)], { type: r.file.type }), r.file.name);
  form.set("model", m.model);
  for (const [k, v] of Object.entries(r.fields)) if (k !== "model" && k !== "file" && k !== "stream") form.set(k, v);
  if (stream) form.set("stream", "true");
  try {
    return await fetchImpl(`${baseOf(m, OPENAI)}/audio/${r.task}`, {
      method: "POST",
      headers: m.apiKey ? { authorization: `Bearer ${m.apiKey}` } : {},
      body: form,
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw unreachable("transcription", m.name, err);
  }
}

/** OpenAI documents whisper-1 as the transcription model that does not stream. */
const STREAMLESS = new Set(["whisper-1"]);

/**
 * OpenAI's audio API (tts-1, gpt-4o-mini-tts, whisper-1, gpt-4o-transcribe), and any server speaking it by baseURL:
 * Speaches/faster-whisper-server, Kokoro-FastAPI, LocalAI, whisper.cpp's server.
 */
export const openaiAudio = (fetchImpl?: typeof fetch): AudioProvider => ({
  translates: true,
  async speak(m, r, signal) {
    let res: HttpResponse;
    try {
      // The providers' transport (undici's dispatch): a hop that adds next to nothing to the first audio byte.
      res = await transportFor(fetchImpl)(`${baseOf(m, OPENAI)}/audio/speech`, {
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
    if (res.status >= 400) throw failure(res.status, await res.text().catch(() => ""), "speech");
    return { contentType: res.header("content-type") ?? "application/octet-stream", body: res.body };
  },

  async transcribe(m, r, signal) {
    const res = await postRecording(fetchImpl ?? fetch, m, r, signal, false);
    const body = await res.text();
    if (!res.ok) throw failure(res.status, body, "transcription");
    const contentType = res.headers.get("content-type") ?? "text/plain";
    return { contentType, body, text: transcriptText(contentType, body) };
  },

  async transcribeStream(m, r, signal) {
    if (STREAMLESS.has(m.model)) throw cannotStream(m);
    const res = await postRecording(fetchImpl ?? fetch, m, r, signal, true);
    if (!res.ok) throw failure(res.status, await res.text(), "transcription");
    if (res.body && res.headers.get("content-type")?.includes("text/event-stream")) return transcriptEvents(res.body, m.name);
    // A compatible server that ignores `stream` answers the whole transcript at once: it comes as one delta.
    const text = transcriptText(res.headers.get("content-type") ?? "text/plain", await res.text());
    return (async function* (): AsyncIterable<TranscriptEvent> {
      yield { type: "delta", delta: text };
      yield { type: "done", text };
    })();
  },
});
