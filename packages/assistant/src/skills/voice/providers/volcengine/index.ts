import type { AudioProvider } from "../provider.ts";
import { transcribeVolcano } from "./recognition.ts";
import { speakVolcano } from "./speech.ts";

/**
 * Volcano Engine's Doubao speech (openspeech): synthesis over its HTTP TTS API and recognition with its flash
 * recorded-file API, each reached with the app's id (`appId`) and access token (`apiKey`).
 */
export const volcengineAudio = (fetchImpl?: typeof fetch): AudioProvider => ({
  translates: false,
  speak: (m, r, signal) => speakVolcano(m, r, signal, fetchImpl),
  transcribe: (m, r, signal) => transcribeVolcano(m, r, signal, fetchImpl),
});
