import { GatewayError, sessionCookieOf } from "@benih/gateway";
import type { Store, User } from "@benih/store";
import type { FastifyReply, FastifyRequest } from "fastify";
import { meView } from "../views.ts";
import { sessionCookie } from "./cookies.ts";
import type { AccountsDeps } from "./deps.ts";

/**
 * Starts a session for the person and sets its cookie. The session the browser held before (if any) ends: a new
 * token at every sign-in, so a cookie planted before it (session fixation) is worth nothing after.
 */
export async function startSession(deps: AccountsDeps, request: FastifyRequest, reply: FastifyReply, store: Store, user: User) {
  await endCookieSession(deps, request);
  const { token, csrf, expiresAt } = await store.accounts.startSession(user.id, deps.directory.times);
  const value = deps.directory.cookieValue(user.market, token);
  reply.header("set-cookie", sessionCookie(value, Math.floor((expiresAt - Date.now()) / 1000), deps.secureCookies));
  return meView(user, csrf);
}

/** Ends the session of the request's cookie, if it names one. */
export async function endCookieSession(deps: AccountsDeps, request: FastifyRequest): Promise<void> {
  const value = sessionCookieOf(request.headers)?.value;
  const at = value && deps.directory.parseCookie(value);
  if (!value || !at) return;
  await at.store.accounts.endSession(at.token);
  deps.auth.forgetCredential(value);
}

/** The store of the request's market (people live there), or a 500 when the server has none for it. */
export function storeOfMarket(deps: AccountsDeps, market: string | null): Store {
  const store = deps.directory.storeOf(market);
  if (!store) throw new GatewayError(500, "server_error", `no store for market ${market ?? "(none)"}`, "no_market_store");
  return store;
}

/** Sign-in by password, or a refusal that says the same whether or not the email has an account. */
export const wrongCredentials = () => new GatewayError(401, "invalid_request_error", "Incorrect email or password.", "invalid_credentials");
