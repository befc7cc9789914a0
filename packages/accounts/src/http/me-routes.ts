import { createKeyBody } from "@benih/contracts";
import { idParam, notFound, parse, wholeQuery } from "@benih/gateway";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { USAGE_ROWS, usageCsv, usageOf, usageRow, usedSoFar } from "../usage.ts";
import { keyView, meView, ownLimits } from "../views.ts";
import { accountRoute, type AccountsDeps } from "./deps.ts";
import { personOfRequest } from "./person.ts";

/** A person's own keys are capped: a leaked session cannot mint keys without end. */
const MAX_KEYS = 50;

const usageQuery = z.object({ days: z.string().optional(), format: z.enum(["json", "csv"]).optional() });

/** Usage as JSON, or as a CSV download (`?format=csv`). */
export function sendUsage(reply: FastifyReply, rows: ReturnType<typeof usageRow>[], withPerson: boolean, name: string) {
  if (reply.request.query && (reply.request.query as { format?: string }).format === "csv")
    return reply
      .header("content-type", "text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${name}.csv"`)
      .send(usageCsv(rows, withPerson));
  // Cut at USAGE_ROWS groups: say so, rather than let totals read low.
  return { data: rows, ...(rows.length >= USAGE_ROWS && { truncated: true }) };
}

export const usageDays = (request: FastifyRequest) => {
  const q = parse(usageQuery, request.query, "query");
  return wholeQuery(q.days, "days", { min: 1, max: 366 }) ?? 30;
};

/** The signed-in person: who they are, their API keys and their usage. */
export function registerMeRoutes(app: FastifyInstance, deps: AccountsDeps): void {
  app.get("/v1/me", accountRoute("person"), async (request) => {
    const { user, store } = await personOfRequest(deps, request);
    // The owner on an open loopback server is held to no quota.
    const limits = user.owner ? undefined : deps.quotaOf(user.market, ownLimits(user));
    return {
      ...meView(user, request.principal?.csrf),
      ...(limits && { quota: { limits, used: await usedSoFar(store, user.id) } }),
    };
  });

  app.get("/v1/me/keys", accountRoute("person"), async (request) => {
    const { user, store } = await personOfRequest(deps, request);
    return { data: (await store.apiKeys.listOf(user.id)).filter((k) => k.revoked_at === null).map(keyView) };
  });

  app.post("/v1/me/keys", accountRoute("person"), async (request, reply) => {
    const { user, store } = await personOfRequest(deps, request);
    const { name } = parse(createKeyBody, request.body);
    const live = (await store.apiKeys.listOf(user.id)).filter((k) => k.revoked_at === null);
    if (live.length >= MAX_KEYS)
      return reply.code(409).send({
        error: {
          message: `You have ${live.length} keys; revoke one first.`,
          type: "invalid_request_error",
          param: null,
          code: "too_many_keys",
        },
      });
    const made = await store.apiKeys.createFor(user.id, user.market, name);
    return reply.code(201).send({ ...keyView(made), key: made.key });
  });

  app.delete("/v1/me/keys/:id", accountRoute("person"), async (request, reply) => {
    const { user, store } = await personOfRequest(deps, request);
    if (!(await store.apiKeys.revokeOf(user.id, idParam(request)))) throw notFound(`Key ${idParam(request)}`);
    return reply.code(204).send();
  });

  app.get("/v1/me/usage", accountRoute("person"), async (request, reply) => {
    const days = usageDays(request);
    const { user, store } = await personOfRequest(deps, request);
    return sendUsage(
      reply,
      (await usageOf(store, days, user.id)).map((t) => usageRow(t)),
      false,
      `usage-${days}d`,
    );
  });
}
