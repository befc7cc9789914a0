import { MAX_MEMORIES, memoryBody, memorySettingsBody, type MemoryExport, type MemoryList } from "@benih/contracts";
import { access, GatewayError, refuseBlocked } from "@benih/gateway";
import { MemoryLimitError, type MemoryStore } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { idParam, notFound, ownerOf, parse } from "../http.ts";

export interface MemoryRoutesOptions {
  /** The memories of the request's market's store. */
  memoriesFor(request: FastifyRequest): MemoryStore;
}

/** What the market's content policy audits a memory under (the model field of its audit rows). */
const AUDITED_AS = "memory";

const full = (err: MemoryLimitError) =>
  new GatewayError(
    409,
    "invalid_request_error",
    `You already keep ${err.limit} memories, the most there is room for. Delete some (or all) before adding more.`,
    "memory_limit",
  );

/**
 * A person's memories under /v1/memories, theirs alone (another person's id is not found): list, add, change,
 * delete one or all, export as JSON, and turn memory on or off. The market's content policy applies to what is kept.
 */
export function registerMemoryRoutes(app: FastifyInstance, o: MemoryRoutesOptions) {
  app.get("/v1/memories", access("person"), async (request): Promise<MemoryList> => {
    const store = o.memoriesFor(request);
    const owner = ownerOf(request);
    const [data, enabled] = await Promise.all([store.list(owner), store.enabled(owner)]);
    return { data, enabled, limit: MAX_MEMORIES };
  });

  app.post("/v1/memories", access("person"), async (request, reply) => {
    const { content } = parse(memoryBody, request.body);
    refuseBlocked(request, content, AUDITED_AS);
    try {
      return reply.code(201).send(await o.memoriesFor(request).add(ownerOf(request), content, { limit: MAX_MEMORIES }));
    } catch (err) {
      throw err instanceof MemoryLimitError ? full(err) : err;
    }
  });

  app.get("/v1/memories/export", access("person"), async (request, reply) => {
    const store = o.memoriesFor(request);
    const owner = ownerOf(request);
    const [memories, enabled] = await Promise.all([store.list(owner), store.enabled(owner)]);
    const body: MemoryExport = { exported_at: Date.now(), enabled, memories };
    return reply
      .type("application/json; charset=utf-8")
      .header("content-disposition", 'attachment; filename="memories.json"')
      .send(JSON.stringify(body, null, 2));
  });

  app.put("/v1/memories/settings", access("person"), async (request) => {
    const { enabled } = parse(memorySettingsBody, request.body);
    await o.memoriesFor(request).setEnabled(ownerOf(request), enabled);
    return { enabled };
  });

  app.patch("/v1/memories/:id", access("person"), async (request) => {
    const id = idParam(request);
    const { content } = parse(memoryBody, request.body);
    const store = o.memoriesFor(request);
    if (!(await store.get(id, ownerOf(request)))) throw notFound(`Memory ${id}`);
    refuseBlocked(request, content, AUDITED_AS);
    const m = await store.update(id, ownerOf(request), content);
    if (!m) throw notFound(`Memory ${id}`);
    return m;
  });

  app.delete("/v1/memories/:id", access("person"), async (request, reply) => {
    const id = idParam(request);
    if (!(await o.memoriesFor(request).delete(id, ownerOf(request)))) throw notFound(`Memory ${id}`);
    return reply.code(204).send();
  });

  app.delete("/v1/memories", access("person"), async (request) => ({
    deleted: await o.memoriesFor(request).deleteAll(ownerOf(request)),
  }));
}
