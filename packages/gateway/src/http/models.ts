import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ModelCatalog } from "../catalog.ts";
import { modelNotFound } from "../errors.ts";
import type { Router } from "../routing/router.ts";
import { allowedTargets } from "../scope.ts";

/** Models outside the request's market do not exist for it: not listed, and 404 when asked for. */
export function registerModelRoutes(app: FastifyInstance, catalog: ModelCatalog, router: Router) {
  const visible = (request: FastifyRequest, id: string) => {
    const route = router.resolve(id);
    return !request.scope || (route !== undefined && allowedTargets(request.scope, route.targets).length > 0);
  };
  app.get("/v1/models", async (request) => ({ object: "list", data: catalog.list().filter((m) => visible(request, m.id)) }));
  // Ids contain slashes (openai/gpt-4o), so the rest of the path is the id.
  app.get("/v1/models/*", async (request) => {
    const id = decodeURIComponent((request.params as { "*": string })["*"]);
    const model = catalog.get(id);
    if (!model || !visible(request, id)) throw modelNotFound(id);
    return model;
  });
}
