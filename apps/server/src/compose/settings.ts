import {
  IMAGES_MISSING,
  largestImageFor,
  OFFLINE_SPEECH_MODEL,
  TRANSCRIPTION_MISSING,
  VIDEO_MISSING,
  WEB_SEARCH_MISSING,
} from "@benih/assistant";
import { DOCUMENT_UPLOAD_TYPES, type ProviderSetting, type SettingsView } from "@benih/contracts";
import { access, scopeOf, type RequestScope } from "@benih/gateway";
import type { FastifyInstance } from "fastify";
import type { BenihConfig } from "../config/schema.ts";
import { publicProfile, type MarketRuntime } from "../markets.ts";
import type { ProviderSet } from "../providers.ts";

const MB = 1024 * 1024;

/** The provider and skill settings page's data, and the serving market's public profile. */
export function registerSettingsRoutes(
  app: FastifyInstance,
  d: {
    config: BenihConfig;
    set: ProviderSet;
    markets: MarketRuntime | undefined;
    visibleModels: (scope: RequestScope) => string[];
    ffmpeg: boolean;
  },
): void {
  const { config, set } = d;
  // What is set up and what is missing, for the settings page: providers, and the skills that need one.
  app.get("/v1/settings", access("person"), async (request): Promise<SettingsView> => {
    // A market lists only the providers its allow-list names: the others could not serve it even if configured.
    const market = scopeOf(request).market;
    const named = market ? d.markets?.markets.get(market)?.allow.providers() : undefined;
    const names = new Set([...set.providers.keys(), ...set.known.map((k) => k.name)].filter((n) => !named || named.includes(n)));
    // Where a provider came from (a folder of this machine, a config file) is the operator's business, not a visitor's.
    const providers = [...names].sort().map((name): ProviderSetting => {
      const hint = set.known.find((k) => k.name === name);
      if (set.providers.has(name)) return { name, configured: true, region: set.regions.get(name) ?? null };
      return hint
        ? { name, configured: false, env: hint.env, set: `${hint.env} in the server's environment` }
        : { name, configured: false, set: "a providers entry in benih.yaml" };
    });
    const web = config.assistant.webSearch;
    // Audio models this market may use, by `name/model` (the provider's first: they speak better than espeak-ng).
    const allowed = (models: readonly { name: string; model: string }[]) =>
      models.filter((m) => !scopeOf(request).refuseTarget({ provider: m.name, model: m.model })).map((m) => `${m.name}/${m.model}`);
    const heard = allowed(config.assistant.transcription);
    return {
      market: scopeOf(request).market ?? null,
      models: d.visibleModels(scopeOf(request)),
      providers,
      skills: {
        chat: { configured: true },
        search: { configured: true, note: "your documents and benih's own docs, offline" },
        web: web ? { configured: true, provider: web.provider } : { configured: false, set: WEB_SEARCH_MISSING },
        image: config.assistant.images.length
          ? { configured: true, models: config.assistant.images.map((m) => `${m.name}/${m.model}`) }
          : { configured: false, set: IMAGES_MISSING },
        video: config.assistant.videos.length
          ? { configured: true, models: config.assistant.videos.map((m) => `${m.name}/${m.model}`) }
          : d.ffmpeg
            ? { configured: true, slideshow: true, note: "no video model: a captioned slideshow made with ffmpeg", set: VIDEO_MISSING }
            : { configured: false, set: `${VIDEO_MISSING} (install ffmpeg for the slideshow)` },
        speech: { configured: true, models: [...allowed(config.assistant.speech), OFFLINE_SPEECH_MODEL] },
        transcription: heard.length ? { configured: true, models: heard } : { configured: false, set: TRANSCRIPTION_MISSING },
      },
      uploads: {
        maxMb: config.assistant.uploadMaxMb,
        types: DOCUMENT_UPLOAD_TYPES,
        // Rounded down to a tenth, so that a file under it is never refused by the server.
        imageMaxMb:
          Math.floor((Math.min(config.assistant.uploadMaxMb * MB, largestImageFor(config.limits.images.perMessageMb * MB)) / MB) * 10) / 10,
      },
    };
  });
  // The market serving this host: brand, languages, default models. Public: the sign-in screen is branded before
  // anyone signs in, so the host (not a key) says which market it is.
  app.get("/v1/market", access("public"), async (request, reply) => {
    const id = d.markets?.resolveScope({ host: request.headers.host, headers: request.headers, principal: undefined }).market;
    const market = id ? d.markets?.markets.get(id) : undefined;
    if (!market)
      return reply.code(404).send({
        error: { message: "This server has no markets configured.", type: "invalid_request_error", param: null, code: "no_markets" },
      });
    return publicProfile(market.profile);
  });
}
