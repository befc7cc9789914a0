import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AnswerStops, hasFfmpeg, ToolConfirmations } from "@benih/assistant";
import { access, createGatewayApp, defaultJsonBudget, defaultPromptBudget, GatewayMetrics, tracesEndpoint } from "@benih/gateway";
import { openSignals, storeLocationFromEnv, type Store, type StoreLocation } from "@benih/store";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { adoptLegacyKeys } from "@benih/accounts";
import { accountDirectory, announceSetupLinks, peopleConfigured, registerAccountRoutes } from "./compose/accounts.ts";
import { registerAssistant, selfClient, startMcpClients, startVideoRunner } from "./compose/assistant.ts";
import { createTraining, registerTrainingRoutes, startLocalTraining } from "./compose/control-plane.ts";
import { buildRouting, gatewayPolicies, openQuotaGate } from "./compose/gateway.ts";
import { Closers, listen, preloadProviders } from "./compose/lifecycle.ts";
import { ModelPromotions, registerPromotionRoutes } from "./compose/promotions.ts";
import { Readiness, registerReadiness } from "./compose/readiness.ts";
import { startRetention } from "./compose/retention.ts";
import { registerSettingsRoutes } from "./compose/settings.ts";
import { serveWebApp } from "./compose/static-web.ts";
import { allStores, ensureAdminKey, openHomeStore, openMarketStores, recoverStores, storeOfRequest } from "./compose/stores.ts";
import type { BenihConfig } from "./config/schema.ts";
import { isLoopback } from "./loopback.ts";
import { openApiDocument } from "./openapi.ts";
import type { MarketRuntime } from "./markets.ts";
import { localModelFacts } from "./local-model-facts.ts";
import { buildProviders } from "./providers.ts";

export { isLoopback };

export interface BenihServer {
  app: FastifyInstance;
  /** The home store: API keys (and, without markets, the request log). */
  store: Store;
  /** With markets configured: each market's own store. */
  markets?: MarketRuntime;
  url: string;
  authRequired: boolean;
  /**
   * Stops as SIGTERM should: not ready at once, still serving for the drain, then no new requests and up to the
   * grace period for those in progress, then closed.
   */
  shutdown(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  config: BenihConfig;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logger?: FastifyBaseLogger;
  /** Overrides the store location derived from DATABASE_URL / BENIH_DATA_DIR. */
  store?: StoreLocation;
  /** For tests: every upstream request goes through this fetch. */
  fetch?: typeof fetch;
  /** For tests: how often an answer waiting for a person's OK sends a keepalive comment (15 s when left out). */
  keepaliveMs?: number;
}

const serverVersion = (JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { version: string })
  .version;

/**
 * Sign-in (or a key) is required beyond loopback, where it cannot be switched off, and wherever benih.yaml says how
 * people sign in; otherwise the machine's owner uses the app straight away.
 */
function authRequiredBy(config: BenihConfig): boolean {
  if (config.auth.required === false && !isLoopback(config.server.host)) {
    throw new Error(`auth.required is false but server.host ${config.server.host} is beyond loopback; sign-in is required there`);
  }
  if (config.auth.required === false) return false;
  return config.auth.required === true || !isLoopback(config.server.host) || peopleConfigured(config);
}

/**
 * The composition root: config → stores → providers → router → gateway, with the assistant, the training control
 * plane (and the local agent) and the web app on it → HTTP. Each step lives in ./compose/.
 */
export async function startBenih(o: StartOptions): Promise<BenihServer> {
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const { config } = o;
  const log = o.logger;
  const authRequired = authRequiredBy(config);
  const closers = new Closers();
  /** This instance, as the holder of leases on background duties in stores other instances share. */
  const instance = randomUUID();
  try {
    // Instances sharing a store tell each other of revocations, stops, tool-call decisions, agent commands (see Signals).
    const signals = await openSignals(env, (err) =>
      log?.error({ err: err.message }, "signals to other instances: connection lost; retrying"),
    );
    closers.push(() => signals.close());
    const { store, markets: marketConfig } = await openHomeStore(config, o.store ?? storeLocationFromEnv(env, cwd), cwd, closers);
    await ensureAdminKey(store, env, authRequired, log);
    const set = buildProviders(config, env, cwd, o.fetch);
    for (const warning of set.warnings) log?.warn(warning);
    const markets = await openMarketStores(marketConfig, set.providers, closers, log);
    const { router, catalog, visibleModels } = await buildRouting(config, set, closers, log);
    const directory = accountDirectory(config, store, markets);
    const adopted = await adoptLegacyKeys(store, (market) => directory.storeOf(market));
    if (adopted) log?.info({ keys: adopted }, "API keys made before accounts now act as a person each, who owns what the key owned");
    const { requestLog, auth, retry, prices } = gatewayPolicies(config, set, directory, markets, authRequired, closers, log);
    await auth.shareRevocations(signals);
    const stops = new AnswerStops(signals);
    await stops.listen();
    closers.push(() => stops.close());
    const confirmations = new ToolConfirmations(signals);
    await confirmations.listen();
    closers.push(() => confirmations.close());
    const quota = await openQuotaGate(config, env, closers, log);
    // Tracing loads OpenTelemetry only when an OTLP endpoint is set: off, it costs nothing at all.
    const traces = tracesEndpoint(env);
    const tracer = traces ? (await import("@benih/gateway/otel")).otlpTracer(traces, "benih", serverVersion) : undefined;
    if (tracer) closers.push(() => tracer.close());
    const training = createTraining(config, store, closers, log, {
      signals,
      lease: (name, ttlMs) => store.leases.tryAcquire(name, instance, ttlMs),
    });
    const dataDir = resolve(cwd, env.BENIH_DATA_DIR ?? ".benih");
    const promotions = new ModelPromotions({
      config,
      set,
      store: store.training,
      dir: resolve(dataDir, "promoted"),
      audit: (market, entry) => (markets?.stores.get(market) ?? store).accounts.audit(entry),
      refreshModels: () => catalog.refresh(),
      warn: (message) => log?.warn(message),
    });
    await promotions.restore();
    await recoverStores(allStores(store, markets), instance, closers, log);
    // Stopping, this instance gives up its leases: another takes its duties at once rather than when they run out.
    closers.push(async () => void (await Promise.all(allStores(store, markets).map((s) => s.leases.releaseAll(instance).catch(() => {})))));
    startRetention(store, markets, instance, closers, log);
    const ffmpeg = await hasFfmpeg();
    startVideoRunner(config, () => allStores(store, markets), instance, closers, log);
    const mcpClients = startMcpClients(config, closers, log);
    let selfUrl = "";
    const { internalToken, client } = selfClient(() => selfUrl);
    const readiness = new Readiness([
      ...allStores(store, markets).map((s) => ({ name: `store ${s.describe()}`, check: () => s.ping() })),
      ...(quota ? [{ name: "quota counters", check: () => quota.ping() }] : []),
      { name: "signals", check: () => signals.ping() },
    ]);
    const openapi = openApiDocument({ version: serverVersion, markets: !!markets, training: true });
    const app = createGatewayApp({
      router,
      catalog,
      prices,
      policy: retry,
      auth,
      metrics: new GatewayMetrics(),
      ...(requestLog && { requestLog }),
      ...(markets && { resolveScope: markets.resolveScope }),
      agentRegion: training.agentRegion,
      bodyLimit: Math.round(config.server.bodyLimitMb * 1024 * 1024),
      promptBudget: {
        promptChars: config.limits.promptChars,
        messages: config.limits.messages,
        schemaBytes: Math.round(config.limits.schemaKb * 1024),
        tools: defaultPromptBudget.tools,
      },
      concurrentPerKey: config.limits.concurrentPerKey,
      ...(quota && { quota }),
      ...(tracer && { tracer }),
      internalToken,
      knownHost: (host) => config.markets.some((m) => m.hosts.includes(host)),
      jsonBudget: { ...defaultJsonBudget, maxTextChars: config.limits.promptChars },
      extend: (app) => {
        serveWebApp(app);
        app.get("/openapi.json", access("public"), async () => openapi);
        registerReadiness(app, readiness, instance);
        registerAssistant(app, {
          config,
          markets,
          storeOf: storeOfRequest(store, markets),
          client,
          visibleModels,
          ...localModelFacts(catalog, router, set.localModels),
          ffmpeg,
          stops,
          confirmations,
          home: store,
          holder: instance,
          ...(mcpClients && { mcpClients }),
          ...(o.keepaliveMs !== undefined && { keepaliveMs: o.keepaliveMs }),
        });
        registerTrainingRoutes(app, training);
        registerPromotionRoutes(app, promotions);
        registerSettingsRoutes(app, { config, set, markets, visibleModels, ffmpeg });
        registerAccountRoutes(app, { config, directory, auth, markets, required: authRequired, env }, closers);
      },
      ...(log && { logger: log }),
    });
    // Closed in reverse: the app stops taking requests before the providers release their models.
    closers.push(async () => Promise.all([...set.providers.values()].map((p) => p.close?.())));
    closers.push(() => app.close());
    preloadProviders(set.providers.values(), log);

    const listening = await listen(app, config.server.host, config.server.port);
    selfUrl = listening.selfUrl;
    if (authRequired) await announceSetupLinks(store, markets, listening.url, log);
    startLocalTraining(training, selfUrl, dataDir, closers, log);
    const marketInfo = markets && Object.fromEntries([...markets.stores].map(([id, s]) => [id, s.describe()]));
    log?.info(
      {
        url: listening.url,
        store: store.describe(),
        ...(marketInfo && { markets: marketInfo }),
        providers: Object.fromEntries(set.origins),
        auth: authRequired ? "required" : "optional",
        ...(training.local && { training: "local agent" }),
      },
      "benih is listening",
    );
    const close = () => closers.closeAll(log);
    const shutdown = async () => {
      readiness.drain();
      const { drainSeconds, graceSeconds } = config.server.shutdown;
      await new Promise((r) => setTimeout(r, drainSeconds * 1000));
      // Past the grace, what still runs is cut: each streaming answer is saved as far as it came ("stopped").
      const cut = setTimeout(() => app.server.closeAllConnections(), graceSeconds * 1000);
      await close();
      clearTimeout(cut);
    };
    return { app, store, ...(markets && { markets }), url: listening.url, authRequired, shutdown, close };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
