import type { FastifyInstance } from "fastify";
import type { ModelCatalog } from "../catalog.ts";
import { modelNotFound } from "../errors.ts";
import type { Router } from "../routing/router.ts";
import { allowedTargets, type RequestScope } from "../scope.ts";

/** Whether a model exists for a request's scope: it routes to at least one target the market allows. */
export function isVisible(router: Router, scope: RequestScope | undefined, id: string): boolean {
  const route = router.resolve(id);
  return !scope || (route !== undefined && allowedTargets(scope, route.targets).length > 0);
}

/** Models outside the request's market do not exist for it: not listed, and 404 when asked for. */
export function registerModelRoutes(app: FastifyInstance, catalog: ModelCatalog, router: Router) {
  app.get("/v1/models", async (request) => ({ object: "list", data: catalog.list().filter((m) => isVisible(router, request.scope, m.id)) }));
  // Ids contain slashes (openai/gpt-4o), so the rest of the path is the id.
  app.get("/v1/models/*", async (request) => {
    const id = decodeURIComponent((request.params as { "*": string })["*"]);
    const model = catalog.get(id);
    if (!model || !isVisible(router, request.scope, id)) throw modelNotFound(id);
    return model;
  });
}
