import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import {
  GatewayClient,
  hasFfmpeg,
  IMAGES_MISSING,
  registerAssistantRoutes,
  registerImageRoutes,
  registerKnowledgeRoutes,
  registerVideoRoutes,
  seedStarterCorpus,
  VIDEO_MISSING,
  VideoRunner,
  WEB_SEARCH_MISSING,
} from "@benih/assistant";
import { ControlPlane, registerControlRoutes } from "@benih/control";
import {
  access,
  Authenticator,
  createGatewayApp,
  declareAll,
  defaultJsonBudget,
  defaultPromptBudget,
  GatewayError,
  defaultRetryPolicy,
  GatewayMetrics,
  isVisible,
  ModelCatalog,
  PriceTable,
  Router,
  scopeOf,
} from "@benih/gateway";
import { BufferedRequestLogWriter, Store, storeLocationFromEnv, type StoreLocation } from "@benih/store";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { BenihConfig } from "./config/schema.ts";
import { openApiDocument } from "./openapi.ts";
import { marketsOf, openMarkets, publicProfile, type MarketRuntime } from "./markets.ts";
import { buildProviders } from "./providers.ts";

export interface BenihServer {
  app: FastifyInstance;
  /** The home store: API keys (and, without markets, the request log). */
  store: Store;
  /** With markets configured: each market's own store. */
  markets?: MarketRuntime;
  url: string;
  authRequired: boolean;
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
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The composition root: config → store → providers → router → gateway → HTTP. */
export async function startBenih(o: StartOptions): Promise<BenihServer> {
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const { config } = o;
  const log = o.logger;

  const authRequired = config.auth.required === true || !isLoopback(config.server.host);
  if (config.auth.required === false && !isLoopback(config.server.host)) {
    throw new Error(`auth.required is false but server.host ${config.server.host} is beyond loopback; API keys are required there`);
  }

  const home = o.store ?? storeLocationFromEnv(env, cwd);
  // Built before any store opens, so a market config error leaves nothing half-open.
  const markets = config.markets.length ? marketsOf(config, home, cwd) : undefined;
  const store = await Store.open(home);
  const closers: Array<() => Promise<unknown>> = [() => store.close()];
  try {
    const adminKey = env.BENIH_ADMIN_KEY?.trim();
    if (adminKey) await store.apiKeys.ensure(adminKey, "BENIH_ADMIN_KEY", "admin");
    if (authRequired && (await store.apiKeys.countLive()) === 0) {
      log?.warn("API keys are required but none exist: run `benih keys create` or set BENIH_ADMIN_KEY");
    }

    const set = buildProviders(config, env, cwd, o.fetch);
    const marketRuntime = markets && (await openMarkets(markets, set.providers, log));
    if (marketRuntime) closers.push(() => marketRuntime.close());
    const configured = new Set(config.routes.map((r) => r.model));
    const routes = [...config.routes, ...set.localRoutes.filter((r) => !configured.has(r.model))];
    const router = new Router(set.providers, routes, set.missingHint);
    const catalog = new ModelCatalog(router, set.providers, set.unprefixed);
    await catalog.refresh();
    for (const [name, problem] of catalog.problems) log?.warn({ provider: name }, `cannot list models: ${problem}`);
    const refresher = setInterval(() => void catalog.refresh(), 10 * 60_000);
    refresher.unref();
    closers.push(async () => clearInterval(refresher));

    const freeProviders = new Set(set.unprefixed);
    const requestLog = marketRuntime
      ? undefined
      : new BufferedRequestLogWriter(store.requestLog, (err, lost) => log?.error({ err, lost }, "could not write the request log"));
    if (requestLog) closers.push(() => requestLog.flush());
    const auth = new Authenticator(store.apiKeys, authRequired);
    closers.push(() => auth.close());
    const policy = {
      ...defaultRetryPolicy,
      ...Object.fromEntries(Object.entries(config.retry).filter(([, v]) => v !== undefined)),
    };
    const agentTokens = new Map(config.training?.agents.map((a) => [a.token, a.region]));
    const plane = config.training && new ControlPlane({ store: store.training, rules: config.training.rules, datasets: config.training.datasets });
    if (plane && config.training) {
      const timeoutMs = config.training.heartbeatTimeoutSeconds * 1000;
      const sweeper = setInterval(() => void plane.sweep(timeoutMs).catch((err: Error) => log?.error({ err }, "control plane: the recovery sweep failed")), Math.max(1000, timeoutMs / 3));
      sweeper.unref();
      closers.push(async () => clearInterval(sweeper));
    }
    for (const s of [store, ...(marketRuntime?.stores.values() ?? [])]) {
      // Answers cut off by a crash or kill: their text stays, marked interrupted.
      const cut = await s.conversations.interruptStreaming();
      if (cut) log?.warn({ store: s.describe(), answers: cut }, "answers that were streaming when the server stopped are marked interrupted");
      await seedStarterCorpus(s.knowledge, starterCorpus).catch((err: Error) => log?.error({ err }, "could not index the starter corpus"));
    }
    /** The store of the request's market (each market's data stays in its own), or the home store. */
    const storeOf = (request: FastifyRequest) => {
      const { market } = scopeOf(request);
      if (!marketRuntime) return store;
      const own = market && marketRuntime.stores.get(market);
      if (!own) throw new GatewayError(500, "server_error", `no store for market ${market ?? "(none)"}`, "no_market_store");
      return own;
    };
    // Video jobs run for minutes at the provider; they are polled until done, also after a restart.
    const ffmpeg = await hasFfmpeg();
    const videoRunner = new VideoRunner({
      stores: () => [store, ...(marketRuntime?.stores.values() ?? [])].map((s) => s.videos),
      models: config.assistant.videos,
      fetchAllow: config.assistant.fetchAllow,
      intervalMs: config.assistant.videoPollSeconds * 1000,
      log: (msg) => log?.warn(msg),
    });
    videoRunner.start();
    closers.push(async () => videoRunner.stop());
    let selfUrl = "";
    // The assistant calls models through this server's own /v1/chat/completions, as the user.
    const internalToken = randomBytes(24).toString("base64url");
    const modelClient = new GatewayClient(() => selfUrl, internalToken);
    /** The market's default chat model if it may use it, else the first it may. */
    const defaultModel = async (request: FastifyRequest) => {
      const scope = scopeOf(request);
      const visible = catalog.list().map((m) => m.id).filter((id) => isVisible(router, scope, id));
      const preferred = scope.market && marketRuntime?.markets.get(scope.market)?.profile.defaults.chat;
      return preferred && visible.includes(preferred) ? preferred : visible[0];
    };
    const app = createGatewayApp({
      router,
      catalog,
      prices: new PriceTable(config.prices, freeProviders),
      policy,
      auth,
      metrics: new GatewayMetrics(),
      ...(requestLog && { requestLog }),
      ...(marketRuntime && { resolveScope: marketRuntime.resolveScope }),
      agentRegion: (token) => (token ? agentTokens.get(token) : undefined),
      bodyLimit: Math.round(config.server.bodyLimitMb * 1024 * 1024),
      promptBudget: { promptChars: config.limits.promptChars, messages: config.limits.messages, schemaBytes: Math.round(config.limits.schemaKb * 1024), tools: defaultPromptBudget.tools },
      concurrentPerKey: config.limits.concurrentPerKey,
      internalToken,
      jsonBudget: { ...defaultJsonBudget, maxTextChars: config.limits.promptChars },
      extend: (app) => {
        serveWebApp(app);
        const docs = config.limits.documents;
        const documentLimits = {
          maxPdfPages: docs.pages,
          maxTextChars: docs.textChars,
          maxPassages: docs.passages,
          maxZipEntries: docs.zipEntries,
          maxUnzippedBytes: Math.round(docs.unzippedMb * 1024 * 1024),
          timeoutMs: Math.round(docs.timeoutSeconds * 1000),
          maxOwnerBytes: Math.round(docs.perPersonMb * 1024 * 1024),
        };
        registerKnowledgeRoutes(app, { storeFor: (request) => storeOf(request).knowledge, maxUploadBytes: Math.round(config.assistant.uploadMaxMb * 1024 * 1024), client: modelClient, defaultModel, documentLimits });
        const openapi = openApiDocument({ version: serverVersion, markets: !!marketRuntime, training: !!plane });
        app.get("/openapi.json", access("public"), async () => openapi);
        const images = { models: config.assistant.images, storeFor: (request: FastifyRequest) => storeOf(request).images, maxUploadBytes: Math.round(config.assistant.uploadMaxMb * 1024 * 1024) };
        registerImageRoutes(app, images);
        const videos = { models: config.assistant.videos, storeFor: (request: FastifyRequest) => storeOf(request).videos, slideshow: ffmpeg };
        registerVideoRoutes(app, videos);
        registerAssistantRoutes(app, {
          images,
          videos,
          storeFor: (request) => storeOf(request).conversations,
          knowledgeFor: (request) => storeOf(request).knowledge,
          agentsFor: (request) => storeOf(request).agents,
          ...(config.assistant.webSearch && { webSearch: config.assistant.webSearch }),
          fetchAllow: config.assistant.fetchAllow,
          client: modelClient,
          defaultModel,
        });
        if (plane) {
          registerControlRoutes(app, { plane, store: store.training });
        }
        // What is set up and what is missing, for the settings page: providers, and the skills that need one.
        app.get("/v1/settings", access("person"), async (request) => {
          const names = new Set([...set.providers.keys(), ...set.known.map((k) => k.name)]);
          const providers = [...names].sort().map((name) => {
            const hint = set.known.find((k) => k.name === name);
            return set.providers.has(name)
              ? { name, configured: true, from: set.origins.get(name) ?? null, region: set.regions.get(name) ?? null }
              : { name, configured: false, set: hint ? `${hint.env} (in the environment or .env)` : "a providers entry in benih.yaml" };
          });
          const web = config.assistant.webSearch;
          return {
            market: scopeOf(request).market ?? null,
            models: catalog.list().map((m) => m.id).filter((id) => isVisible(router, scopeOf(request), id)),
            providers,
            skills: {
              chat: { configured: true },
              search: { configured: true, note: "your documents and benih's own docs, offline" },
              web: web ? { configured: true, provider: web.provider } : { configured: false, set: WEB_SEARCH_MISSING },
              image: config.assistant.images.length ? { configured: true, models: config.assistant.images.map((m) => `${m.name}/${m.model}`) } : { configured: false, set: IMAGES_MISSING },
              video: config.assistant.videos.length
                ? { configured: true, models: config.assistant.videos.map((m) => `${m.name}/${m.model}`) }
                : ffmpeg
                  ? { configured: true, slideshow: true, note: "no video model: a captioned slideshow made with ffmpeg", set: VIDEO_MISSING }
                  : { configured: false, set: `${VIDEO_MISSING} (install ffmpeg for the slideshow)` },
            },
            uploads: { maxMb: config.assistant.uploadMaxMb, types: [".pdf", ".docx", ".md", ".html", ".txt"] },
          };
        });
        // The market serving this request (by host, key or admin header): brand, languages, default models.
        app.get("/v1/market", access("person"), async (request, reply) => {
          const id = scopeOf(request).market;
          const market = id ? marketRuntime?.markets.get(id) : undefined;
          if (!market) return reply.code(404).send({ error: { message: "This server has no markets configured.", type: "invalid_request_error", param: null, code: "no_markets" } });
          return publicProfile(market.profile);
        });
      },
      ...(log && { logger: log }),
    });
    // Closed in reverse: the app stops taking requests before the providers release their models.
    closers.push(async () => Promise.all([...set.providers.values()].map((p) => p.close?.())));
    closers.push(() => app.close());

    // Load local weights now, so the first request does not wait for them.
    for (const p of set.providers.values()) {
      const preload = (p as { preload?: () => Promise<void> }).preload;
      preload?.call(p).catch((err: Error) => log?.error({ provider: p.name }, err.message));
    }

    await app.listen({ host: config.server.host, port: config.server.port });
    const { port } = app.server.address() as AddressInfo;
    const host = config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host;
    const url = `http://${host}:${port}`;
    // A wildcard address is not one to connect to: the server's own calls go to loopback.
    selfUrl = config.server.host === "0.0.0.0" ? `http://127.0.0.1:${port}` : config.server.host === "::" ? `http://[::1]:${port}` : url;
    const marketInfo = marketRuntime && Object.fromEntries([...marketRuntime.stores].map(([id, s]) => [id, s.describe()]));
    log?.info({ url, store: store.describe(), ...(marketInfo && { markets: marketInfo }), providers: Object.fromEntries(set.origins), auth: authRequired ? "required" : "optional" }, "benih is listening");
    return {
      app,
      store,
      ...(marketRuntime && { markets: marketRuntime }),
      url,
      authRequired,
      async close() {
        // Reverse order: stop accepting requests first, close the store last.
        for (const c of closers.reverse()) await c().catch((err: Error) => log?.error(err.message));
      },
    };
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => {});
    throw err;
  }
}

/** The web app's build (apps/web, built by `npm ci`); one build for every market, which it asks about at load. */
/** benih's own docs, searchable from the first start. */
const starterCorpus = ["README.md", "DATASETS.md"].map((p) => fileURLToPath(new URL(`../../../${p}`, import.meta.url))).filter((p) => existsSync(p));

const serverVersion = (JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { version: string }).version;

const webDist = fileURLToPath(new URL("../../web/dist", import.meta.url));

function serveWebApp(app: FastifyInstance) {
  if (existsSync(`${webDist}/index.html`)) {
    // The web app's files and pages are public; what they show comes from routes that ask for a key.
    void app.register(async (files) => {
      declareAll(files, "public");
      await files.register(fastifyStatic, { root: webDist, index: "index.html", wildcard: false, cacheControl: false, setHeaders: (res, path) => {
        // Hashed asset names change with their content; the page itself must always be asked for again.
        res.header("cache-control", path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
      } });
      // The dashboard's pages are routes of the one-page app: each gets the page, which shows the route.
      const page = async (_request: unknown, reply: FastifyReply) => reply.header("cache-control", "no-cache").sendFile("index.html");
      files.get("/admin", page);
      files.get("/admin/*", page);
    });
    return;
  }
  app.get("/", access("public"), async (_request, reply) =>
    reply.code(503).type("text/plain; charset=utf-8").send("The web app is not built: run `npm run build -w @benih/web` (npm ci does it).\n"),
  );
}
