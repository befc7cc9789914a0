import type { FastifyInstance } from "fastify";
import { access, scopeOf } from "./access.ts";
import type { ModelCatalog } from "../catalog.ts";
import { modelNotFound } from "../errors.ts";
import type { Router } from "../routing/router.ts";
import { allowedTargets, type RequestScope } from "../scope.ts";

/** Whether a model exists for a request's scope: it routes to at least one target the market allows. */
export function isVisible(router: Router, scope: RequestScope, id: string): boolean {
  const route = router.resolve(id);
  return route !== undefined && allowedTargets(scope, route.targets).length > 0;
}

/** Models outside the request's market do not exist for it: not listed, and 404 when asked for. */
export function registerModelRoutes(app: FastifyInstance, catalog: ModelCatalog, router: Router) {
  app.get("/v1/models", access("person"), async (request) => ({
    object: "list",
    data: catalog.list().filter((m) => isVisible(router, scopeOf(request), m.id)),
  }));
  // Ids contain slashes (openai/gpt-4o), so the rest of the path is the id.
  app.get("/v1/models/*", access("person"), async (request) => {
    const id = decodeURIComponent((request.params as { "*": string })["*"]);
    const model = catalog.get(id);
    if (!model || !isVisible(router, scopeOf(request), id)) throw modelNotFound(id);
    return model;
  });
}
