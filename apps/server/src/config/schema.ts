import { commandRecipe, DEFAULT_UPLOAD_MAX_MB, quotaLimits } from "@benih/contracts";
import { sessionConfig, signInConfig, smtpConfig } from "@benih/accounts";
import { defaultDocumentLimits, defaultImageLimits } from "@benih/assistant";
import { defaultPromptBudget } from "@benih/gateway";
import { z } from "zod";

const target = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1),
  timeoutMs: z.number().int().positive().optional(),
  idleTimeoutMs: z.number().int().positive().optional(),
  retries: z.number().int().min(0).max(10).optional(),
});

const headers = z.record(z.string(), z.string());

const providerName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "use lowercase letters, digits, '.', '_' or '-'");

/**
 * A speech or speech recognition model, by its provider's API: OpenAI's (or any server speaking it, by baseURL),
 * Volcano Engine's Doubao speech (`appId` and its access token as apiKey), Alibaba's DashScope (CosyVoice, Paraformer).
 */
const audioModel = z
  .strictObject({
    name: providerName,
    type: z.enum(["openai", "openai-compatible", "volcengine", "dashscope"]),
    baseURL: z.url().optional(),
    apiKey: z.string().min(1).optional(),
    appId: z.string().min(1).optional(),
    model: z.string().min(1),
  })
  .superRefine((m, ctx) => {
    const need = (ok: boolean, message: string) => ok || ctx.addIssue({ code: "custom", message });
    if (m.type === "openai") need(!!m.apiKey, "openai needs apiKey");
    if (m.type === "openai-compatible") need(!!m.baseURL, "openai-compatible needs baseURL (your server)");
    if (m.type === "volcengine") need(!!m.appId && !!m.apiKey, "volcengine needs appId and apiKey (its access token)");
    if (m.type === "dashscope") need(!!m.apiKey, "dashscope needs apiKey (a Model Studio API key)");
  });

/** What every provider reached over HTTP takes. */
const remote = {
  name: providerName,
  baseURL: z.url().optional(),
  apiKey: z.string().optional(),
  headers: headers.optional(),
  /** Fetch the upstream's model list for GET /v1/models. */
  listModels: z.boolean().default(true),
  region: z.string().optional(),
};

const openAICompatibleProvider = z.strictObject({
  ...remote,
  type: z.enum(["openai", "volcano-ark", "deepseek", "qwen", "ollama", "vllm", "llamacpp-server", "openai-compatible"]),
});

const anthropicProvider = z.strictObject({ ...remote, type: z.literal("anthropic") });

const llamaCppProvider = z.strictObject({
  name: providerName,
  type: z.literal("llama-cpp"),
  models: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        path: z.string().min(1),
        /** A LoRA adapter GGUF trained on `path`: served as this model, sharing the base's weights in memory. */
        adapter: z.string().min(1).optional(),
        contextSize: z.number().int().positive().optional(),
        sequences: z.number().int().min(1).max(64).optional(),
        threads: z.number().int().min(1).optional(),
      }),
    )
    .min(1),
});

const localized = z.record(z.string(), z.string().min(1)).refine((r) => Object.keys(r).length > 0, "give the text in at least one locale");
const color = z.string().regex(/^#[0-9a-fA-F]{3,8}$/, "use a hex colour such as #1f6feb");

/** One product (a Doubao-like `cn`, a Cici-like `global`): see packages/markets. */
const market = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, "use lowercase letters, digits and _ (it names the market's store)"),
  region: z.string().min(1),
  displayName: localized,
  brand: z.strictObject({
    name: localized,
    logo: z.string().optional(),
    colors: z.strictObject({ primary: color, accent: color.optional() }),
  }),
  defaultLocale: z.string().min(2),
  locales: z.array(z.string().min(2)).min(1),
  hosts: z.array(z.string().min(1)).default([]),
  /** provider/model globs: the only targets this market's requests reach. */
  allow: z.array(z.string().regex(/^[^/\s]+\/\S+$/, "use provider/model or provider/*")).min(1),
  defaults: z.record(z.string(), z.string()).default({}),
  search: z.array(z.string()).default([]),
  policy: z.strictObject({
    blocked: z.array(z.strictObject({ term: z.string().trim().min(1), category: z.string().min(1) })).default([]),
    refusal: localized,
    /** A moderation model (OpenAI's /v1/moderations) asked about every input, as provider/model; it must be allowed. */
    moderation: z
      .string()
      .regex(/^[^/\s]+\/\S+$/, "use provider/model")
      .optional(),
  }),
  retentionDays: z.number().int().positive().default(180),
  /** What each person (or key) of this market may use; each field over the server-wide `quota`. */
  quota: quotaLimits.optional(),
  /** How this market's people sign in, each field over the server-wide `auth`. */
  auth: signInConfig.optional(),
  /** Omitted: its own SQLite file in the data folder, or its own schema when DATABASE_URL is PostgreSQL. */
  store: z
    .union([
      z.strictObject({ sqlite: z.string().min(1) }),
      z.strictObject({ postgres: z.string().regex(/^postgres(ql)?:\/\//, "use a postgres:// URL"), schema: z.string().optional() }),
    ])
    .optional(),
});

/**
 * An MCP server whose tools agents may use: started as a process (`command`, over stdio) or reached over Streamable
 * HTTP (`url`, with `headers`). Only the tools `tools` names are ever shown to a model or an agent editor; those in
 * `confirm` wait for the person's OK before each call. `markets`: the markets whose agents may use it (all of them
 * when left out, and a server without markets).
 */
const mcpServer = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "use lowercase letters, digits, '_' or '-' (32 at most)"),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    url: z.url().optional(),
    headers: headers.default({}),
    tools: z.array(z.string().min(1)).min(1, "allow at least one tool"),
    confirm: z.array(z.string().min(1)).default([]),
    /** How long one call may take before it is abandoned (the model is told so). */
    timeoutSeconds: z.number().positive().max(600).default(30),
    /** How long a call waits for the person's OK before it counts as declined. */
    confirmSeconds: z.number().positive().max(3600).default(300),
    markets: z.array(z.string().min(1)).optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.command === !s.url)
      ctx.addIssue({ code: "custom", message: "give command (a process spoken to over stdio) or url (Streamable HTTP), one of them" });
    if (s.command && Object.keys(s.headers).length)
      ctx.addIssue({ code: "custom", path: ["headers"], message: "headers go with url; a command gets env" });
    s.confirm.forEach((tool, i) => {
      if (!s.tools.includes(tool))
        ctx.addIssue({ code: "custom", path: ["confirm", i], message: `${tool} is not one of tools (${s.tools.join(", ")})` });
    });
  });

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD");

/** The training control plane: which regional agents may connect, the datasets and the placement rules. */
const training = z.strictObject({
  /** An agent silent for this long is lost; its runs resume elsewhere. */
  heartbeatTimeoutSeconds: z.number().int().positive().default(30),
  /**
   * Train on this machine: an agent for region `local` runs inside the server, with the token `agents` names for
   * `local` or else one made for each start. Default: on when no agent of another region is configured.
   */
  localAgent: z.boolean().optional(),
  agents: z
    .array(z.strictObject({ region: z.string().min(1), token: z.string().min(16, "use a token of at least 16 characters") }))
    .default([]),
  /** The most megabytes a dataset uploaded through the control plane may have (it streams through to its region). */
  datasetMaxMb: z.number().positive().default(1024),
  datasets: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        market: z.string().min(1),
        region: z.string().min(1),
        source: z.string().min(1).optional(),
        flags: z.array(z.enum(["personal-information", "important-data"])).default([]),
        transfers: z.array(z.strictObject({ to: z.string().min(1), mechanism: z.string().min(1), from: isoDay })).default([]),
      }),
    )
    .default([]),
  /** Trainers benih did not write, run under the control plane as recipes of kind `command` (docs/trainers.md). */
  recipes: z
    .array(commandRecipe)
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((r, i) => {
        if (seen.has(r.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `recipe ${r.name} is declared twice` });
        seen.add(r.name);
      });
    }),
  rules: z
    .strictObject({
      accelerators: z
        .array(
          z.strictObject({
            regions: z.array(z.string().min(1)).min(1),
            allow: z.array(z.string()).optional(),
            deny: z.array(z.string()).optional(),
            effective: isoDay,
            source: z.string().min(1),
          }),
        )
        .default([]),
      preference: z.array(z.string()).default([]),
    })
    .prefault({}),
});

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(8080),
        bodyLimitMb: z.number().positive().default(20),
        /**
         * How people reach this server (https://chat.example.com), for links in mail and single sign-on's return,
         * when they come by a name no market's `hosts` lists (a server without markets beyond loopback).
         */
        publicUrl: z.url().optional(),
        /**
         * On SIGTERM: `/ready` fails at once and requests are still served for `drainSeconds` (while load balancers
         * notice), then no new ones are taken and those in progress (streaming answers) get up to `graceSeconds`
         * to finish before they are cut, their partial answers saved.
         */
        shutdown: z
          .strictObject({
            drainSeconds: z.number().min(0).max(300).default(0),
            graceSeconds: z.number().min(0).max(3600).default(30),
          })
          .prefault({}),
        logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .prefault({}),
    /** Budgets checked before the work a request causes. */
    limits: z
      .strictObject({
        /** Characters of text in one chat request's messages. */
        promptChars: z.number().int().positive().default(defaultPromptBudget.promptChars),
        messages: z.number().int().positive().default(defaultPromptBudget.messages),
        /** A response_format schema or a tool's parameters, as JSON. */
        schemaKb: z
          .number()
          .positive()
          .default(defaultPromptBudget.schemaBytes / 1024),
        /** POST requests one API key may have in progress at once. */
        concurrentPerKey: z.number().int().positive().default(8),
        /** Reading one uploaded document (knowledge base, translation), and what one person may keep. */
        documents: z
          .strictObject({
            pages: z.number().int().positive().default(defaultDocumentLimits.maxPdfPages),
            textChars: z.number().int().positive().default(defaultDocumentLimits.maxTextChars),
            passages: z.number().int().positive().default(defaultDocumentLimits.maxPassages),
            zipEntries: z.number().int().positive().default(defaultDocumentLimits.maxZipEntries),
            unzippedMb: z
              .number()
              .positive()
              .default(defaultDocumentLimits.maxUnzippedBytes / 1024 / 1024),
            timeoutSeconds: z
              .number()
              .positive()
              .default(defaultDocumentLimits.timeoutMs / 1000),
            perPersonMb: z
              .number()
              .positive()
              .default(defaultDocumentLimits.maxOwnerBytes / 1024 / 1024),
          })
          .prefault({}),
        /** Recordings sent for transcription: the longest one (413 past it; the upload's bytes are assistant.uploadMaxMb). */
        audio: z.strictObject({ maxMinutes: z.number().positive().max(600).default(30) }).prefault({}),
        /** Images: what one message's may take as the model reads them (base64), and what one person may keep. */
        images: z
          .strictObject({
            perMessageMb: z
              .number()
              .positive()
              .default(defaultImageLimits.maxMessageBytes / 1024 / 1024),
            perPersonMb: z
              .number()
              .positive()
              .default(defaultImageLimits.maxOwnerBytes / 1024 / 1024),
          })
          .prefault({}),
      })
      .prefault({}),
    auth: z
      .strictObject({
        /**
         * "auto": sign-in (or a key) is required when the server listens beyond loopback or any `auth` sets how people
         * sign in; otherwise the machine's owner uses the app straight away. It cannot be switched off beyond loopback.
         */
        required: z.union([z.boolean(), z.literal("auto")]).default("auto"),
        session: sessionConfig.prefault({}),
        ...signInConfig.shape,
      })
      .prefault({}),
    /** Mail for invitations and password resets. */
    smtp: smtpConfig.optional(),
    /** GGUF files in this folder are served as local models named after the file. */
    modelsDir: z.string().default("models"),
    providers: z.array(z.discriminatedUnion("type", [openAICompatibleProvider, anthropicProvider, llamaCppProvider])).default([]),
    routes: z.array(z.strictObject({ model: z.string().min(1), targets: z.array(target).min(1) })).default([]),
    /** USD per million tokens, keyed by `provider/model`, by model, or `provider/*`. */
    prices: z.record(z.string(), z.strictObject({ input: z.number().min(0), output: z.number().min(0) })).default({}),
    retry: z
      .strictObject({
        timeoutMs: z.number().int().positive().optional(),
        idleTimeoutMs: z.number().int().positive().optional(),
        retries: z.number().int().min(0).max(10).optional(),
        maxRetryAfterMs: z.number().int().min(0).optional(),
      })
      .prefault({}),
    /**
     * What each API key may use (requests per UTC minute, tokens per UTC day, USD per UTC month at `prices`); a
     * market's own `quota` overrides it field by field. Shared across instances through Redis when REDIS_URL is set.
     */
    quota: quotaLimits.optional(),
    /** Without markets, every request shares one store and no allow-list applies. */
    markets: z.array(market).default([]),
    /** The market for requests whose host no market lists; without it they are refused. */
    defaultMarket: z.string().optional(),
    training: training.prefault({}),
    /** MCP servers whose allow-listed tools agents may name as `mcp:<server>/<tool>`. */
    mcp: z.array(mcpServer).default([]),
    assistant: z
      .strictObject({
        /** The largest document an upload may be; bigger ones are refused with 413. */
        uploadMaxMb: z.number().positive().default(DEFAULT_UPLOAD_MAX_MB),
        /**
         * The embedding model (provider/model) that makes knowledge search hybrid, keywords and meaning together, in
         * markets that set none as `defaults.embedding`; without either, search is by keywords alone.
         */
        embeddingModel: z
          .string()
          .regex(/^[^/\s]+\/\S+$/, "use provider/model")
          .optional(),
        /** The web skill's search provider: your SearXNG (baseURL), or Brave, Tavily or Bing (apiKey). */
        webSearch: z
          .strictObject({
            provider: z.enum(["searxng", "brave", "tavily", "bing"]),
            baseURL: z.url().optional(),
            apiKey: z.string().min(1).optional(),
          })
          .refine((w) => (w.provider === "searxng" ? !!w.baseURL : !!w.apiKey), {
            message: "searxng needs baseURL (your instance); brave, tavily and bing need apiKey",
          })
          .optional(),
        /** Hosts (host or host:port) that pages may be fetched from although they resolve to private addresses. */
        fetchAllow: z.array(z.string().min(1)).default([]),
        /** Image models, the first allowed in a market being its default; `name` is the provider in allow-lists. */
        images: z
          .array(
            z
              .strictObject({
                name: providerName,
                type: z.enum(["openai", "volcano-ark", "automatic1111", "comfyui"]),
                baseURL: z.url().optional(),
                apiKey: z.string().min(1).optional(),
                model: z.string().min(1).default("default"),
              })
              .refine((m) => (m.type === "automatic1111" || m.type === "comfyui" ? !!m.baseURL : !!m.apiKey), {
                message: "automatic1111 and comfyui need baseURL (your server); openai and volcano-ark need apiKey",
              }),
          )
          .default([]),
        /** Video models (async jobs), the first allowed in a market being its default. Without any: ffmpeg slideshows. */
        videos: z
          .array(
            z.strictObject({
              name: providerName,
              type: z.enum(["volcano-ark", "openai"]),
              baseURL: z.url().optional(),
              apiKey: z.string().min(1),
              model: z.string().min(1),
            }),
          )
          .default([]),
        /** How often unfinished video jobs are polled. */
        videoPollSeconds: z.number().positive().default(5),
        /**
         * Speech models (`/v1/audio/speech`), chosen by `name/model` or model; `name` is the provider in allow-lists.
         * Without any, speech is the offline `espeak-ng`. openai-compatible: any server speaking OpenAI's speech API.
         */
        speech: z.array(audioModel).default([]),
        /**
         * Speech recognition models (`/v1/audio/transcriptions` and `/translations`), chosen by `name/model` or model.
         * benih ships none: without one, transcription says what to configure.
         */
        transcription: z.array(audioModel).default([]),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    // A message's images go base64-encoded, with its text, in one request to the server's own /v1/chat/completions.
    if (c.limits.images.perMessageMb >= c.server.bodyLimitMb)
      ctx.addIssue({
        code: "custom",
        path: ["limits", "images", "perMessageMb"],
        message: `${c.limits.images.perMessageMb} must be below server.bodyLimitMb (${c.server.bodyLimitMb}): a message's images are sent to the model in one request under that limit, with room for its text`,
      });
    const ids = c.markets.map((m) => m.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({ code: "custom", path: ["markets", i, "id"], message: `another market is already named "${id}"` });
    });
    if (c.defaultMarket !== undefined && !ids.includes(c.defaultMarket)) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultMarket"],
        message: `"${c.defaultMarket}" is not one of the markets (${ids.join(", ") || "none configured"})`,
      });
    }
    const mcpNames = c.mcp.map((s) => s.name);
    c.mcp.forEach((s, i) => {
      if (mcpNames.indexOf(s.name) !== i)
        ctx.addIssue({ code: "custom", path: ["mcp", i, "name"], message: `another MCP server is already named "${s.name}"` });
      s.markets?.forEach((m, j) => {
        if (!ids.includes(m))
          ctx.addIssue({
            code: "custom",
            path: ["mcp", i, "markets", j],
            message: `"${m}" is not one of the markets (${ids.join(", ") || "none configured"})`,
          });
      });
    });
    c.markets.forEach((m, i) => {
      if (!m.locales.includes(m.defaultLocale))
        ctx.addIssue({
          code: "custom",
          path: ["markets", i, "defaultLocale"],
          message: `${m.defaultLocale} is not one of locales (${m.locales.join(", ")})`,
        });
    });
  });

export type BenihConfig = z.infer<typeof configSchema>;
export type ProviderConfig = BenihConfig["providers"][number];
export type MarketConfig = BenihConfig["markets"][number];
