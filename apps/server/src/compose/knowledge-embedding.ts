import { type GatewayClient, KnowledgeEmbedder } from "@benih/assistant";
import { scopeOf } from "@benih/gateway";
import type { Store } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { BenihConfig } from "../config/schema.ts";
import type { MarketRuntime } from "../markets.ts";
import { Closers } from "./lifecycle.ts";
import { leasedDuty } from "./leased-duty.ts";

/** How often each store is checked for passages lacking its embedding model's vectors (also at start-up). */
const EVERY_MS = 60_000;

/**
 * Hybrid knowledge search: the embedding model of each market (`defaults.embedding`, else `assistant.embeddingModel`)
 * and the background work that embeds its store's passages. Uploads start it at once; a duty, leased so that one
 * instance of those sharing a store does it, looks every minute and when the server starts listening, which
 * resumes what a restart stopped and re-embeds everything when the model changes; the lease is renewed while a run
 * goes on. The server embeds through its own /v1/embeddings with its internal token (x-benih-internal, no one's key)
 * for the market: each person's documents for that person (x-benih-on-behalf-of), whose quotas, usage and request
 * log count it, the shared ones as itself. The market's allow-list and policy apply.
 */
export function knowledgeEmbedding(
  app: FastifyInstance,
  d: { config: BenihConfig; markets: MarketRuntime | undefined; home: Store; client: GatewayClient; holder: string },
) {
  const modelOfMarket = (market: string | undefined) =>
    (market ? d.markets?.markets.get(market)?.profile.defaults.embedding : undefined) ?? d.config.assistant.embeddingModel;
  const embedder = new KnowledgeEmbedder({ client: d.client, log: (message, err) => app.log.warn({ err }, message) });
  const stores = (): Array<{ store: Store; market: string | undefined }> =>
    d.markets ? [...d.markets.stores].map(([market, store]) => ({ store, market })) : [{ store: d.home, market: undefined }];
  const kick = (store: Store, market: string | undefined) => {
    const model = modelOfMarket(market);
    return model ? embedder.kick(store.knowledge, model, market ? { market } : {}) : Promise.resolve();
  };
  const closers = new Closers();
  // Started once listening, a moment after: the server's own URL, which the client calls, is known only then.
  app.addHook("onListen", async () => {
    const start = setTimeout(() => {
      for (const { store, market } of stores())
        if (modelOfMarket(market))
          void leasedDuty(
            {
              store,
              name: "knowledge-embedding",
              holder: d.holder,
              everyMs: EVERY_MS,
              work: () => kick(store, market),
              onError: (err) => app.log.error({ err, market }, "embedding the knowledge base failed"),
            },
            closers,
          );
    }, 250);
    closers.push(async () => clearTimeout(start));
  });
  // Before the server stops answering: a run cut off by the server going away must not mark documents failed.
  app.addHook("preClose", async () => {
    await closers.closeAll(app.log);
    await embedder.stop();
  });
  const marketOf = (request: FastifyRequest) => scopeOf(request).market;
  return {
    modelFor: (request: FastifyRequest) => modelOfMarket(marketOf(request)),
    kick: (request: FastifyRequest) => {
      const market = marketOf(request);
      const store = market ? d.markets?.stores.get(market) : d.home;
      if (store) void kick(store, market).catch((err: Error) => app.log.error({ err, market }, "embedding the knowledge base failed"));
    },
  };
}
