import type { AudioProvider } from "../provider.ts";
import { recognize } from "./recognition.ts";
import { synthesize } from "./synthesis.ts";

/**
 * Alibaba Cloud Model Studio (百炼, DashScope) speech over its WebSocket inference API: CosyVoice synthesis and
 * Paraformer real-time recognition. `baseURL` replaces the endpoint (another region, or a test's loopback server).
 */
export const dashscopeAudio = (): AudioProvider => ({ speak: synthesize, transcribe: recognize, translates: false });
