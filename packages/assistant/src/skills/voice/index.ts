import { z } from "zod";
import type { Skill } from "../skill.ts";
import { registerSpeechRoutes } from "./speech-routes.ts";
import { registerTranscriptionRoutes } from "./transcription-routes.ts";

/**
 * Speech in and out, on OpenAI's audio API: `/v1/audio/speech` (offline espeak-ng, or a configured provider) and
 * `/v1/audio/transcriptions` and `/translations` (a configured provider). Not a chip: the web app's microphone,
 * read-aloud and voice call use these routes.
 */
export const voiceSkill: Skill = {
  id: "voice",
  options: z.object({}),
  routes(app, services) {
    registerTranscriptionRoutes(app, services.transcription ?? { models: [] });
    registerSpeechRoutes(app, {
      models: [],
      ...(services.defaultLocale && { localeOf: services.defaultLocale }),
      ...services.speech,
    });
  },
};
