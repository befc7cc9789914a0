import type { FastifyInstance } from "fastify";
import type { ModelCatalog } from "../catalog.ts";
import { modelNotFound } from "../errors.ts";

export function registerModelRoutes(app: FastifyInstance, catalog: ModelCatalog) {
  app.get("/v1/models", async () => ({ object: "list", data: catalog.list() }));
  // Ids contain slashes (openai/gpt-4o), so the rest of the path is the id.
  app.get("/v1/models/*", async (request) => {
    const id = decodeURIComponent((request.params as { "*": string })["*"]);
    const model = catalog.get(id);
    if (!model) throw modelNotFound(id);
    return model;
  });
}
