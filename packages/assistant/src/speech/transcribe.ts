import { OPENAI, unreachable, upstreamFailure } from "./upstream.ts";

/** A transcription model of `assistant.transcription`: OpenAI's, or any server speaking its `/audio/transcriptions`. */
export interface TranscriptionModelConfig {
  name: string;
  type: "openai" | "openai-compatible";
  baseURL?: string;
  apiKey?: string;
  model: string;
}

export interface TranscriptionRequest {
  task: "transcriptions" | "translations";
  file: { bytes: Buffer; name: string; type: string };
  /** The form's other fields as the client sent them (language, prompt, response_format, temperature). */
  fields: Record<string, string>;
}

/** Sends a recording to a provider as OpenAI's API has it; its answer (JSON, text, SRT or VTT) as it came. */
export async function upstreamTranscription(
  m: TranscriptionModelConfig,
  r: TranscriptionRequest,
  signal: AbortSignal,
  fetchImpl: typeof fetch = fetch,
) {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(r.file.bytes)], { type: r.file.type }), r.file.name);
  form.set("model", m.model);
  for (const [k, v] of Object.entries(r.fields)) if (k !== "model" && k !== "file") form.set(k, v);
  let res: Response;
  try {
    res = await fetchImpl(`${(m.baseURL ?? OPENAI).replace(/\/+$/, "")}/audio/${r.task}`, {
      method: "POST",
      headers: m.apiKey ? { authorization: `Bearer ${m.apiKey}` } : {},
      body: form,
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw unreachable("transcription", m.name, err);
  }
  const text = await res.text();
  if (!res.ok) throw upstreamFailure(res.status, text, "transcription");
  return { contentType: res.headers.get("content-type") ?? "text/plain", text };
}
