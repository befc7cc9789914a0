// What the server says about itself to the web app: the market serving a request (GET /v1/market), what is set up
// (GET /v1/settings), and a document of the knowledge base (POST/GET /v1/knowledge/documents). Browser-safe: zod only.
import { z } from "zod";

const localized = z.record(z.string(), z.string());

/** GET /v1/market: the serving market's public profile (its brand, languages and default models). */
export const marketView = z.object({
  id: z.string(),
  displayName: localized,
  brand: z.object({
    name: localized,
    logo: z.string().optional(),
    colors: z.object({ primary: z.string(), accent: z.string().optional() }),
  }),
  defaultLocale: z.string(),
  locales: z.array(z.string()),
  /** The market's default model per use (chat, translate, …). */
  defaults: z.record(z.string(), z.string()),
  /** The web search providers the market may use. */
  search: z.array(z.string()),
});
export type MarketView = z.infer<typeof marketView>;

/**
 * A model in GET /v1/models: OpenAI's model object, with what benih knows of it where it does. `context_length` is
 * the tokens a prompt and its answer share (OpenRouter's name for it); `languages` and `examples` come from a local
 * model's card: the languages it answers in and, per language, questions it answers well (Hugging Face's `widget`).
 */
export const modelView = z.object({
  id: z.string(),
  object: z.literal("model"),
  created: z.number(),
  owned_by: z.string(),
  context_length: z.number().int().optional(),
  languages: z.array(z.string()).optional(),
  examples: z.record(z.string(), z.array(z.string())).optional(),
});
export type ModelView = z.infer<typeof modelView>;

/**
 * A provider on the settings page: configured (and in which region its models run), or what turns it on. `env` is
 * the environment variable that does; `set` says it in English for clients that show prose.
 */
export const providerSetting = z.union([
  z.object({ name: z.string(), configured: z.literal(true), region: z.string().nullable() }),
  z.object({ name: z.string(), configured: z.literal(false), env: z.string().optional(), set: z.string() }),
]);
export type ProviderSetting = z.infer<typeof providerSetting>;

/** A skill on the settings page: whether it can run here, and what to set when it cannot. */
export const skillSetting = z.object({
  configured: z.boolean(),
  provider: z.string().optional(),
  models: z.array(z.string()).optional(),
  /** The video skill without a video model: a captioned slideshow made with ffmpeg. */
  slideshow: z.boolean().optional(),
  note: z.string().optional(),
  set: z.string().optional(),
});
export type SkillSetting = z.infer<typeof skillSetting>;

/** GET /v1/settings: what this server has set up for the caller's market. Nothing in it names a server path. */
export const settingsView = z.object({
  market: z.string().nullable(),
  models: z.array(z.string()),
  providers: z.array(providerSetting),
  skills: z.record(z.string(), skillSetting),
  /** Documents: the largest upload and the types read; images: the largest one a message can carry to a model. */
  uploads: z.object({ maxMb: z.number(), types: z.array(z.string()), imageMaxMb: z.number() }),
});
export type SettingsView = z.infer<typeof settingsView>;

/** A document in a person's knowledge base, as the store keeps it (snake_case on the wire). */
export const kbDocumentView = z.object({
  id: z.string(),
  owner: z.string().nullable(),
  created_at: z.number(),
  title: z.string(),
  source: z.string(),
  mime: z.string(),
  bytes: z.number(),
  chunks: z.number(),
  pages: z.number().nullable(),
  /** Where the market has an embedding model: its passages embedded so far of all, and why embedding stopped (retry with POST …/embedding). */
  embedding: z.object({ model: z.string(), done: z.number(), total: z.number(), error: z.string().nullable() }).optional(),
});
export type KbDocumentView = z.infer<typeof kbDocumentView>;

/** GET /v1/knowledge/documents/:id/passages: a document as it was read, passage by passage, to show a citation in place. */
export const kbPassagesView = z.object({
  document: kbDocumentView,
  passages: z.array(z.object({ seq: z.number().int(), page: z.number().int().nullable(), text: z.string() })),
});
export type KbPassagesView = z.infer<typeof kbPassagesView>;
