import type { KnowledgeStore, QueryVector } from "@benih/store";
import type { FastifyRequest } from "fastify";
import { callerOf } from "../caller.ts";
import type { EmbedOptions } from "../model-client.ts";

export interface HybridKnowledgeOptions {
  client: { embed(o: EmbedOptions): Promise<Float32Array[]> };
  /** The embedding model of the request's market; undefined: search by keywords alone. */
  modelFor(request: FastifyRequest): string | undefined;
  /** How long a query's embedding may take before the search goes on by keywords alone. */
  timeoutMs?: number;
}

/**
 * The request's knowledge store with a search that is hybrid where its market has an embedding model: the question
 * (its text when the caller gives it, else its words) is embedded as the caller, through the gateway, and searched
 * by meaning as well as by keywords. An embedding that fails or is slow leaves the search to keywords, logged.
 * Everything else is the store's own (the object inherits from it).
 */
export function hybridKnowledge(store: KnowledgeStore, request: FastifyRequest, o: HybridKnowledgeOptions): KnowledgeStore {
  const model = o.modelFor(request);
  if (!model) return store;
  const search: KnowledgeStore["search"] = async (owner, terms, limit = 5, documents, options = {}) => {
    const text = (options.text ?? terms.join(" ")).trim();
    if (documents || options.vector || !text) return store.search(owner, terms, limit, documents, options);
    let vector: QueryVector | undefined;
    try {
      const [values] = await o.client.embed({
        model,
        input: [text.slice(0, 2000)],
        caller: callerOf(request),
        signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
      });
      vector = { model, values: values! };
    } catch (err) {
      request.log.warn({ err, model }, "embedding the query failed: searching by keywords alone");
    }
    return store.search(owner, terms, limit, documents, vector ? { vector } : {});
  };
  return Object.assign(Object.create(store) as KnowledgeStore, { search });
}
