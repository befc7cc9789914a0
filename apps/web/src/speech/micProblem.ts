import { ApiError } from "../api/http.ts";

/**
 * What to tell a person when speaking failed: the microphone blocked in the browser, no speech recognition on the
 * server (each said in the caller's words), or the error's own message after `failed`.
 */
export function micProblem(err: Error, say: { blocked: string; notConfigured: string; failed?: string }): string {
  if (err.name === "NotAllowedError") return say.blocked;
  if (err instanceof ApiError && err.code === "transcription_not_configured") return say.notConfigured;
  return say.failed ? `${say.failed} ${err.message}` : err.message;
}
