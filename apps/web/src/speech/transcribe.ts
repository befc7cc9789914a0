import { apiError, authed } from "../api/http.ts";
import type { Locale } from "../i18n.ts";

/** What was said, written out by the server's speech recognition model (the first the market allows). */
export async function transcribe(audio: Blob, locale: Locale, signal?: AbortSignal): Promise<string> {
  const form = new FormData();
  const ext = audio.type.includes("wav") ? "wav" : audio.type.includes("ogg") ? "ogg" : "webm";
  form.set("file", audio, `speech.${ext}`);
  form.set("language", locale);
  const res = await authed("/v1/audio/transcriptions", { method: "POST", body: form, ...(signal && { signal }) });
  if (!res.ok) throw await apiError(res);
  return ((await res.json()) as { text: string }).text.trim();
}
