import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { createAnthropic, createLlamaCpp, createOpenAICompatible, normalizeBaseURL, openAICompatiblePresets } from "@benih/providers";
import type { LlamaCppModelConfig, OpenAICompatiblePreset } from "@benih/providers";
import { readGgufHeader } from "@benih/gguf";
import type { Provider } from "@benih/spec";
import type { Route } from "@benih/gateway";
import type { BenihConfig } from "./config/schema.ts";
import { cardFacts, type ModelCard, readModelCard } from "./model-card.ts";

export interface LocalModel {
  file: string;
  card?: ModelCard;
}

export interface ProviderSet {
  providers: Map<string, Provider>;
  /** Providers whose models are listed by bare id (local GGUF models). */
  unprefixed: Set<string>;
  /** One route per local model, so `benih-tiny` works as a model name. */
  localRoutes: Route[];
  /** Where each provider came from, for `config check` and the startup log. */
  origins: Map<string, string>;
  /** Where each provider processes requests: "cn", "global", a configured region, or "local" (this server). */
  regions: Map<string, string>;
  /** What to set to enable a provider that a route names but that is not registered. */
  missingHint(name: string): string;
  /** The providers an environment variable alone can turn on, and that variable. */
  known: Array<{ name: string; env: string }>;
  /** What is wrong but does not stop the server (a broken model card), for the startup log. */
  warnings: string[];
  /** Each local model by `provider/model`: its GGUF (an adapter's base), whose tokenizer counts the model's tokens, and its card. */
  localModels: Map<string, LocalModel>;
}

/** Environment variables that register a provider on their own, beyond the OpenAI-compatible presets. */
const ANTHROPIC_ENV = { apiKey: "ANTHROPIC_API_KEY", baseURL: "ANTHROPIC_BASE_URL" };

/**
 * The models in a folder of GGUF files. A LoRA adapter among them is served on its base (the file whose
 * general.name or file name is the adapter's benih.base.name) as a model of its own; one whose base is not there
 * is left out with a warning.
 */
function ggufFiles(dir: string, warnings: string[]): LlamaCppModelConfig[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".gguf"))
    .sort()
    .map((f) => {
      const path = resolve(dir, f);
      let meta = new Map<string, unknown>();
      try {
        meta = readGgufHeader(path).metadata;
      } catch {
        // Served as a model; loading it says what is wrong.
      }
      return { id: basename(f, ".gguf"), path, meta };
    });
  const models = files.filter((f) => f.meta.get("general.type") !== "adapter");
  const out: LlamaCppModelConfig[] = models.map((m) => ({ id: m.id, path: m.path }));
  for (const a of files.filter((f) => f.meta.get("general.type") === "adapter")) {
    const baseName = String(a.meta.get("benih.base.name") ?? "");
    const named = models.filter((m) => m.meta.get("general.name") === baseName || m.id === baseName);
    // Two versions of a base under one name: the one the adapter was trained on, by its hash.
    const sha = a.meta.get("benih.base.sha256");
    const base =
      named.length > 1
        ? (named.find((m) => createHash("sha256").update(readFileSync(m.path)).digest("hex") === sha) ?? named[0])
        : named[0];
    if (base) out.push({ id: a.id, path: base.path, adapter: a.path });
    else warnings.push(`${a.path} is a LoRA adapter for base model "${baseName}", which is not in ${dir}: not served`);
  }
  return out;
}

export function buildProviders(config: BenihConfig, env: NodeJS.ProcessEnv, cwd: string, fetchImpl?: typeof fetch): ProviderSet {
  const providers = new Map<string, Provider>();
  const origins = new Map<string, string>();
  const unprefixed = new Set<string>();
  const localRoutes: Route[] = [];
  const localModels = new Map<string, LocalModel>();
  const regions = new Map<string, string>();
  const add = (p: Provider, origin: string, region: string | undefined) => {
    if (providers.has(p.name)) throw new Error(`two providers are named "${p.name}"`);
    providers.set(p.name, p);
    origins.set(p.name, origin);
    if (region) regions.set(p.name, region);
  };
  const warnings: string[] = [];
  /** A local model's card (a broken card is warned about and left out); an adapter's is beside the adapter. */
  const cardOf = (m: LlamaCppModelConfig): ModelCard | undefined => {
    try {
      return readModelCard(m.adapter ?? m.path);
    } catch (err) {
      warnings.push(`the model card of ${m.id} is not read: ${(err as Error).message}`);
      return undefined;
    }
  };
  const addLocal = (name: string, models: LlamaCppModelConfig[], origin: string) => {
    const cards = models.map(cardOf);
    const withCard = (m: LlamaCppModelConfig, card: ModelCard | undefined): LlamaCppModelConfig =>
      card
        ? {
            ...m,
            ...cardFacts(card),
            ...(m.defaultTemperature === undefined && card.temperature !== undefined && { defaultTemperature: card.temperature }),
          }
        : m;
    add(createLlamaCpp({ name, models: models.map((m, i) => withCard(m, cards[i])) }), origin, "local");
    unprefixed.add(name);
    models.forEach((m, i) => {
      localRoutes.push({ model: m.id, targets: [{ provider: name, model: m.id }] });
      localModels.set(`${name}/${m.id}`, { file: m.path, ...(cards[i] && { card: cards[i] }) });
    });
  };

  // A provider whose upstream has no usable model list (or should not be asked) is still routable by name.
  const listed = (p: Provider, list: boolean): Provider => (list ? p : { ...p, listModels: undefined });
  const fromPreset = (preset: OpenAICompatiblePreset, name: string, baseURL: string, apiKey?: string, headers?: Record<string, string>) =>
    createOpenAICompatible({
      name,
      baseURL: normalizeBaseURL(preset, baseURL),
      ...(apiKey && { apiKey }),
      ...(headers && { headers }),
      ...(preset.quirks && { quirks: preset.quirks }),
      ...(preset.capabilities && { capabilities: preset.capabilities }),
      ...(fetchImpl && { fetch: fetchImpl }),
    });

  for (const p of config.providers) {
    if (p.type === "llama-cpp") {
      addLocal(
        p.name,
        p.models.map((m) => ({ ...m, path: resolve(cwd, m.path), ...(m.adapter && { adapter: resolve(cwd, m.adapter) }) })),
        "config",
      );
    } else if (p.type === "anthropic") {
      const anthropic = createAnthropic({
        name: p.name,
        ...(p.baseURL && { baseURL: p.baseURL }),
        ...(p.apiKey && { apiKey: p.apiKey }),
        ...(p.headers && { headers: p.headers }),
        ...(fetchImpl && { fetch: fetchImpl }),
      });
      add(listed(anthropic, p.listModels), "config", p.region ?? "global");
    } else {
      const preset = openAICompatiblePresets[p.type]!;
      const baseURL = p.baseURL ?? preset.defaultBaseURL;
      if (!baseURL) throw new Error(`provider "${p.name}" (${p.type}) needs a baseURL`);
      add(listed(fromPreset(preset, p.name, baseURL, p.apiKey, p.headers), p.listModels), "config", p.region ?? preset.region);
    }
  }

  // Environment variables register providers that the config does not already name.
  for (const preset of Object.values(openAICompatiblePresets)) {
    const name = preset.defaultName;
    if (!name || providers.has(name)) continue;
    const apiKey = preset.apiKeyEnv ? env[preset.apiKeyEnv]?.trim() : undefined;
    const baseURLFromEnv = preset.baseURLEnv ? env[preset.baseURLEnv]?.trim() : undefined;
    if (preset.needsApiKey ? !apiKey : !baseURLFromEnv) continue;
    add(
      fromPreset(preset, name, baseURLFromEnv || preset.defaultBaseURL!, apiKey),
      `environment (${[preset.apiKeyEnv && apiKey ? preset.apiKeyEnv : "", baseURLFromEnv ? preset.baseURLEnv : ""].filter(Boolean).join(", ")})`,
      preset.region,
    );
  }
  const anthropicKey = env[ANTHROPIC_ENV.apiKey]?.trim();
  if (anthropicKey && !providers.has("anthropic")) {
    const baseURL = env[ANTHROPIC_ENV.baseURL]?.trim();
    add(
      createAnthropic({ apiKey: anthropicKey, ...(baseURL && { baseURL }), ...(fetchImpl && { fetch: fetchImpl }) }),
      `environment (${ANTHROPIC_ENV.apiKey})`,
      "global",
    );
  }

  const dir = resolve(cwd, env.BENIH_MODELS_DIR ?? config.modelsDir);
  const found = ggufFiles(dir, warnings).filter((m) => !localRoutes.some((r) => r.model === m.id));
  if (found.length && !providers.has("local")) addLocal("local", found, `GGUF files in ${dir}`);

  const envHints = new Map<string, string>([["anthropic", ANTHROPIC_ENV.apiKey]]);
  for (const p of Object.values(openAICompatiblePresets)) {
    if (p.defaultName) envHints.set(p.defaultName, (p.needsApiKey ? p.apiKeyEnv : p.baseURLEnv) ?? "");
  }
  return {
    providers,
    unprefixed,
    localRoutes,
    localModels,
    origins,
    regions,
    warnings,
    known: [...envHints].filter(([, env]) => env).map(([name, env]) => ({ name, env })),
    missingHint: (name) => {
      const v = envHints.get(name);
      return v
        ? `provider ${name} is not configured: set ${v}`
        : `provider ${name} is not configured: add it under providers in benih.yaml`;
    },
  };
}
