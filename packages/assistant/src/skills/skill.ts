import type { MessageMeta } from "@benih/contracts";
import type { KbHit, KnowledgeStore, Message } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { ImageRoutesOptions } from "../images/routes.ts";
import type { ToolDefinition } from "../model-client.ts";
import type { VideoRoutesOptions } from "../video/routes.ts";
import type { WebSearchConfig } from "../web/search.ts";
import type { SpeechRoutesOptions } from "./voice/speech-routes.ts";
import type { TranscriptionRoutesOptions } from "./voice/transcription-routes.ts";

/** What the assistant holds that skills use: the request's market's stores and the providers configured. */
export interface SkillServices {
  /** The knowledge base of the request's market. */
  knowledgeFor(request: FastifyRequest): KnowledgeStore;
  /** The web search provider; without one the web skill says what to configure. */
  webSearch?: WebSearchConfig;
  /** Hosts the page fetcher may reach even though they resolve to private addresses. */
  fetchAllow?: readonly string[];
  /** Image models and where images are kept. */
  images: ImageRoutesOptions;
  /** Video models and jobs. */
  videos: VideoRoutesOptions;
  /** Speech models (`assistant.speech`); without any, speech is the offline espeak-ng. */
  speech?: SpeechRoutesOptions;
  /** Speech recognition models (`assistant.transcription`); without any, transcription says what to configure. */
  transcription?: TranscriptionRoutesOptions;
  /** The request's market's default locale (BCP 47): the language offline speech and the built-in agents use. */
  defaultLocale?(request: FastifyRequest): string | undefined;
}

/** A user's message to answer with a skill. */
export interface SkillContext {
  request: FastifyRequest;
  services: SkillServices;
  question: Message;
  /** The question's meta: the skill, its options as sent, the documents attached. */
  meta: MessageMeta;
}

/**
 * How a skill answers a message chosen with its chip: `grounded`, the model answers under these instructions
 * (the agent's come first) and the answer keeps `meta`; `sourced`, the model answers from these passages, citing
 * them (as many as its context holds; when not even one does, they are quoted without the model); `media`, the
 * skill's own answer (an image drawn, a video job started) with no model streaming text.
 */
export type ChipAnswer =
  | { kind: "grounded"; system: string; meta: MessageMeta }
  | { kind: "sourced"; hits: KbHit[]; meta: MessageMeta }
  | { kind: "media"; content: string; model: string | null; meta: MessageMeta };

/**
 * A skill a model can call itself (for agents that use tools): a search whose passages it cites as [n], or a pure
 * function of the call's arguments (the calculator) whose text the model reads back.
 */
export type SkillTool =
  | { definition: ToolDefinition; search(request: FastifyRequest, services: SkillServices, query: string): Promise<KbHit[]> }
  | { definition: ToolDefinition; run(args: Record<string, unknown>): string };

/**
 * One skill: everything about it is here, and the registry lists it. A skill with `answer` is a chip a message
 * can choose (and an agent can name); one without (voice) is its own API alone.
 */
export interface Skill<Options = unknown> {
  id: string;
  /** Its options, as a message choosing it sends them (`{}` when it sends none). */
  options: z.ZodType<Options>;
  /** Why it cannot run on this server, said as what to configure; undefined when it can. */
  unavailable?(services: SkillServices): string | undefined;
  answer?(context: SkillContext, options: Options): Promise<ChipAnswer>;
  tool?: SkillTool;
  /** Its own HTTP routes, registered with the assistant's. */
  routes?(app: FastifyInstance, services: SkillServices): void;
}
