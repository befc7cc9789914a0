import { randomBytes } from "node:crypto";
import {
  type AnswerStops,
  type ContextWindow,
  GatewayClient,
  hybridKnowledge,
  McpClients,
  registerAssistantRoutes,
  type ToolConfirmations,
  registerKnowledgeRoutes,
  VideoRunner,
} from "@benih/assistant";
import { scopeOf, type RequestScope } from "@benih/gateway";
import type { Store } from "@benih/store";
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import type { BenihConfig } from "../config/schema.ts";
import type { MarketRuntime } from "../markets.ts";
import { knowledgeEmbedding } from "./knowledge-embedding.ts";
import type { Closers } from "./lifecycle.ts";

const mb = (n: number) => Math.round(n * 1024 * 1024);

/** Video jobs run for minutes at the provider; they are polled until done, also after a restart. */
export function startVideoRunner(
  config: BenihConfig,
  stores: () => Store[],
  holder: string,
  closers: Closers,
  log?: FastifyBaseLogger,
): void {
  const intervalMs = config.assistant.videoPollSeconds * 1000;
  const runner = new VideoRunner({
    holder,
    // Renewed at each poll: a dead instance's jobs are taken over after a few missed polls.
    leaseMs: Math.max(10_000, 4 * intervalMs),
    stores: () => stores().map((s) => s.videos),
    models: config.assistant.videos,
    fetchAllow: config.assistant.fetchAllow,
    intervalMs,
    log: (msg) => log?.warn(msg),
  });
  runner.start();
  closers.push(() => runner.stop());
}

/**
 * The assistant calls models through this server's own /v1/chat/completions, as the user: a client of the URL the
 * server will have once it listens, with a secret of this process that tells the gateway the call is its own.
 */
export function selfClient(selfUrl: () => string) {
  const internalToken = randomBytes(24).toString("base64url");
  return { internalToken, client: new GatewayClient(selfUrl, internalToken) };
}

export interface AssistantDeps {
  config: BenihConfig;
  markets: MarketRuntime | undefined;
  storeOf: (request: FastifyRequest) => Store;
  client: GatewayClient;
  visibleModels: (scope: RequestScope) => string[];
  /** A model's context where it is known (the catalog's), and how its tokens are counted: prompts are fitted to it. */
  contextWindow: (model: string) => ContextWindow | undefined;
  /** Whether a model follows a skill's instructions (its card says; true when unknown). */
  followsInstructions: (model: string) => boolean;
  /** Whether a model that follows no other instructions answers from the search skill's passages (its card says so). */
  answersFromSources: (model: string) => boolean;
  /** ffmpeg is installed: without a video model, the video skill makes slideshows. */
  ffmpeg: boolean;
  /** "Stop" across the instances sharing the store. */
  stops: AnswerStops;
  /** Tool calls waiting for a person's OK, decided on any instance sharing the store. */
  confirmations: ToolConfirmations;
  /** The home store (the one store of a server without markets), and this instance as the holder of duties' leases. */
  home: Store;
  holder: string;
  /** The MCP servers of benih.yaml's `mcp:` (see startMcpClients). */
  mcpClients?: McpClients;
  /** How often an answer waiting for a person's OK sends a keepalive comment (15 s when left out). */
  keepaliveMs?: number;
}

/** The MCP servers agents may use: each connected (or started) at its first use, all closed at shutdown. */
export function startMcpClients(config: BenihConfig, closers: Closers, log?: FastifyBaseLogger): McpClients | undefined {
  if (!config.mcp.length) return undefined;
  const clients = new McpClients(config.mcp, (message) => log?.warn(message));
  closers.push(() => clients.close());
  return clients;
}

/** Conversations, the knowledge base, translation, agents and the skills' own routes (images, videos): the assistant's routes. */
export function registerAssistant(app: FastifyInstance, d: AssistantDeps): void {
  const { config, storeOf } = d;
  /** The market's default chat model if it may use it, else the first it may. */
  const defaultModel = async (request: FastifyRequest) => {
    const scope = scopeOf(request);
    const visible = d.visibleModels(scope);
    const preferred = scope.market && d.markets?.markets.get(scope.market)?.profile.defaults.chat;
    return preferred && visible.includes(preferred) ? preferred : visible[0];
  };
  const docs = config.limits.documents;
  const documentLimits = {
    maxPdfPages: docs.pages,
    maxTextChars: docs.textChars,
    maxPassages: docs.passages,
    maxZipEntries: docs.zipEntries,
    maxUnzippedBytes: mb(docs.unzippedMb),
    timeoutMs: Math.round(docs.timeoutSeconds * 1000),
    maxOwnerBytes: mb(docs.perPersonMb),
  };
  const maxUploadBytes = mb(config.assistant.uploadMaxMb);
  const embedding = knowledgeEmbedding(app, { config, markets: d.markets, home: d.home, client: d.client, holder: d.holder });
  const knowledgeFor = (request: FastifyRequest) =>
    hybridKnowledge(storeOf(request).knowledge, request, { client: d.client, modelFor: embedding.modelFor });
  registerKnowledgeRoutes(app, {
    embedding,
    storeFor: knowledgeFor,
    maxUploadBytes,
    client: d.client,
    defaultModel,
    documentLimits,
  });
  const images = {
    models: config.assistant.images,
    storeFor: (request: FastifyRequest) => storeOf(request).images,
    maxUploadBytes,
    maxMessageBytes: mb(config.limits.images.perMessageMb),
    maxOwnerBytes: mb(config.limits.images.perPersonMb),
  };
  const videos = { models: config.assistant.videos, storeFor: (request: FastifyRequest) => storeOf(request).videos, slideshow: d.ffmpeg };
  registerAssistantRoutes(app, {
    images,
    videos,
    storeFor: (request) => storeOf(request).conversations,
    knowledgeFor,
    agentsFor: (request) => storeOf(request).agents,
    memoriesFor: (request) => storeOf(request).memories,
    ...(config.assistant.webSearch && { webSearch: config.assistant.webSearch }),
    fetchAllow: config.assistant.fetchAllow,
    client: d.client,
    defaultModel,
    contextWindow: d.contextWindow,
    followsInstructions: d.followsInstructions,
    answersFromSources: d.answersFromSources,
    stops: d.stops,
    confirmations: d.confirmations,
    ...(d.mcpClients && { mcpClients: d.mcpClients }),
    ...(d.keepaliveMs !== undefined && { keepaliveMs: d.keepaliveMs }),
    speech: { models: config.assistant.speech },
    transcription: {
      models: config.assistant.transcription,
      maxUploadBytes,
      maxAudioSeconds: config.limits.audio.maxMinutes * 60,
    },
    defaultLocale: (request) => {
      const market = scopeOf(request).market;
      return market ? d.markets?.markets.get(market)?.profile.defaultLocale : undefined;
    },
  });
}
