import { GatewayError, isOperator, scopeOf } from "@benih/gateway";
import type { Store, User } from "@benih/store";
import type { FastifyRequest } from "fastify";
import type { AccountsDeps } from "./deps.ts";
import { storeOfMarket } from "./sign-in.ts";

/**
 * The person a `person` route acts for, with their market's store: the signed-in person or their key's, or the
 * machine's owner on a loopback server without sign-in. An operator's key is no person (403), as is a user key
 * `benih keys create` made.
 */
export async function personOfRequest(deps: AccountsDeps, request: FastifyRequest): Promise<{ user: User; store: Store }> {
  const market = scopeOf(request).market ?? null;
  const store = storeOfMarket(deps, market);
  const p = request.principal;
  if (!p && !deps.required) return { user: await store.accounts.owner(market), store };
  const user = p?.person && (await store.accounts.byId(p.person.id));
  if (!user)
    throw new GatewayError(
      403,
      "permission_error",
      isOperator(p)
        ? "An operator's key is no person's: manage operator keys with `benih keys`."
        : "This key belongs to no person: sign in, or make a key in the app's settings.",
      "not_a_person",
    );
  return { user, store };
}

/** Who did an admin action, for the audit log. */
export const actorOf = (request: FastifyRequest): string => {
  const p = request.principal;
  if (!p) return "owner (loopback)";
  return p.person ? `${p.person.email ?? "person"} (${p.person.id})` : `key ${p.name} (${p.keyId})`;
};
