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
        contextSize: z.number().int().positive().optional(),
        sequences: z.number().int().min(1).max(64).optional(),
        threads: z.number().int().min(1).optional(),
      }),
    )
    .min(1),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(8080),
      bodyLimitMb: z.number().positive().default(20),
      logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    })
    .prefault({}),
  auth: z
    .strictObject({
      /** "auto": required when the server listens beyond loopback. It cannot be switched off there. */
      required: z.union([z.boolean(), z.literal("auto")]).default("auto"),
    })
    .prefault({}),
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
});

export type BenihConfig = z.infer<typeof configSchema>;
export type ProviderConfig = BenihConfig["providers"][number];
