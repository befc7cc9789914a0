import { invitationBody, personPatch } from "@benih/contracts";
import { GatewayError, idParam, notFound, parse, scopeOf, wholeQuery } from "@benih/gateway";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { mailFor } from "../mail/index.ts";
import { normalEmail } from "../password.ts";
import { usageOf, usageRow } from "../usage.ts";
import { personView } from "../views.ts";
import { accountRoute, type AccountsDeps } from "./deps.ts";
import { sendUsage, usageDays } from "./me-routes.ts";
import { actorOf } from "./person.ts";
import { storeOfMarket } from "./sign-in.ts";

export const INVITATION_TTL_MS = 7 * 86_400_000;

const peopleQuery = z.object({ q: z.string().max(200).optional(), limit: z.string().optional(), offset: z.string().optional() });
const auditQuery = z.object({ limit: z.string().optional(), before: z.string().optional() });

/** A market's admins (and operators): its people, invitations, usage and the audit log of what admins did. */
export function registerAdminRoutes(app: FastifyInstance, deps: AccountsDeps): void {
  const storeOf = (request: FastifyRequest) => {
    const market = scopeOf(request).market ?? null;
    return { market, store: storeOfMarket(deps, market) };
  };

  app.get("/v1/admin/people", accountRoute("market-admin"), async (request) => {
    const q = parse(peopleQuery, request.query, "query");
    const { store } = storeOf(request);
    const people = await store.accounts.list({
      ...(q.q && { query: q.q.trim() }),
      limit: wholeQuery(q.limit, "limit", { min: 1, max: 200 }) ?? 50,
      offset: wholeQuery(q.offset, "offset", { max: 1_000_000 }) ?? 0,
    });
    return { data: people.map(personView) };
  });

  app.patch("/v1/admin/people/:id", accountRoute("market-admin"), async (request) => {
    const patch = parse(personPatch, request.body);
    const { store } = storeOf(request);
    const id = idParam(request);
    const person = await store.accounts.byId(id);
    if (!person || person.owner) throw notFound(`Person ${id}`);
    if (request.principal?.person?.id === id && (patch.disabled || patch.role === "member" || patch.quota !== undefined))
      throw new GatewayError(
        400,
        "invalid_request_error",
        "You cannot disable yourself, take your own admin role or set your own quota: another admin can.",
        "cannot_change_self",
      );
    if (patch.role) await store.accounts.update(id, { role: patch.role });
    if (patch.quota !== undefined) await store.accounts.update(id, { quota: patch.quota ? JSON.stringify(patch.quota) : null });
    if (patch.disabled !== undefined) await store.accounts.setDisabled(id, patch.disabled);
    // Role, quota and disabling all change what the person's cached keys and sessions carry.
    deps.auth.forgetPerson(id);
    await store.accounts.audit({ actor: actorOf(request), action: "person.update", target: id, detail: { email: person.email, ...patch } });
    return personView((await store.accounts.byId(id))!);
  });

  app.post("/v1/admin/invitations", accountRoute("market-admin"), async (request, reply) => {
    const body = parse(invitationBody, request.body);
    const email = body.email ? normalEmail(body.email) : null;
    const { market, store } = storeOf(request);
    const { invitation, token } = await store.accounts.createLink({
      kind: "invite",
      email,
      role: body.role,
      createdBy: actorOf(request),
      ttlMs: INVITATION_TTL_MS,
    });
    const url = `${deps.originOf(request)}/?invitation=${token}`;
    let mailed = false;
    if (email && deps.mailer) {
      await deps.mailer.send(
        email,
        mailFor("invite", deps.localeOf(market), { brand: deps.brandOf(market), url, hours: INVITATION_TTL_MS / 3_600_000 }),
      );
      mailed = true;
    }
    await store.accounts.audit({
      actor: actorOf(request),
      action: "invitation.create",
      target: invitation.id,
      detail: { email, role: body.role, mailed },
    });
    return reply.code(201).send({ id: invitation.id, email, role: invitation.role, expiresAt: Number(invitation.expires_at), url, mailed });
  });

  app.get("/v1/admin/usage", accountRoute("market-admin"), async (request, reply) => {
    const days = usageDays(request);
    const { store } = storeOf(request);
    const totals = await usageOf(store, days);
    const emails = await store.accounts.emailsOf([...new Set(totals.flatMap((t) => (t.person ? [t.person] : [])))]);
    const rows = totals.map((t) => usageRow(t, t.person ? (emails.get(t.person) ?? t.person) : null));
    return sendUsage(reply, rows, true, `market-usage-${days}d`);
  });

  app.get("/v1/admin/audit", accountRoute("market-admin"), async (request) => {
    const q = parse(auditQuery, request.query, "query");
    const before = wholeQuery(q.before, "before");
    const rows = await storeOf(request).store.accounts.auditLog(wholeQuery(q.limit, "limit", { min: 1, max: 500 }) ?? 100, before);
    return {
      data: rows.map((r) => ({
        at: Number(r.at),
        actor: r.actor,
        action: r.action,
        target: r.target,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      })),
    };
  });
}
