import { cookieValue, GatewayError } from "@benih/gateway";
import type { Invitation } from "@benih/store";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { OidcError } from "../oidc/index.ts";
import { OIDC_COOKIE, OIDC_INVITE_COOKIE, oidcCookie } from "./cookies.ts";
import { openLink } from "./links.ts";
import { accountRoute, type AccountsDeps } from "./deps.ts";
import { startSession, storeOfMarket } from "./sign-in.ts";

const providerParam = (request: FastifyRequest) => (request.params as { provider: string }).provider;

/**
 * Single sign-on with the market's OpenID providers (authorization code + PKCE). The IdP's subject maps to the
 * market's person: found by an earlier link, else by a verified email of an existing person without a password, else a
 * new person where sign-up is open. Failures go back to the app (`/?signin_error=code`), which says what it means.
 */
export function registerOidcRoutes(app: FastifyInstance, deps: AccountsDeps): void {
  const openidOf = (request: FastifyRequest) => {
    const market = deps.marketOf(request);
    const settings = deps.settingsOf(market);
    const id = providerParam(request);
    if (!settings.openid?.has(id))
      throw new GatewayError(
        404,
        "not_found_error",
        `There is no single sign-on provider "${id.slice(0, 64)}" here${settings.oidc.length ? `; providers: ${settings.oidc.map((p) => p.id).join(", ")}` : ""}.`,
        "unknown_provider",
      );
    return { market, settings, openid: settings.openid, id };
  };
  const callbackUrl = (request: FastifyRequest, id: string) => `${deps.originOf(request)}/v1/auth/oidc/${id}/callback`;
  // The app shows its own text for the code (a message in the URL would let anyone put words on the sign-in
  // screen); the detail goes to the log and, for API clients, a header.
  const backToApp = (reply: FastifyReply, code: string, message: string) => {
    reply.request.log.info({ code, detail: message }, "single sign-on refused");
    return reply
      .header("set-cookie", oidcCookie("", 0, deps.secureCookies))
      .header("set-cookie", oidcCookie("", 0, deps.secureCookies, OIDC_INVITE_COOKIE))
      .header("x-benih-error-detail", message.replace(/[^\x20-\x7e]/g, "?").slice(0, 500))
      .redirect(`/?signin_error=${encodeURIComponent(code)}`, 303);
  };

  app.get("/v1/auth/oidc/:provider/start", accountRoute("public"), async (request, reply) => {
    const { openid, id } = openidOf(request);
    try {
      const { url, cookie, maxAgeSec } = await openid.start(id, callbackUrl(request, id));
      reply.header("set-cookie", oidcCookie(cookie, maxAgeSec, deps.secureCookies));
      // An invitation rides along to the callback (a market that signs in by SSO alone is joined this way).
      const { invitation } = request.query as { invitation?: unknown };
      if (typeof invitation === "string" && /^[\w-]{1,200}$/.test(invitation))
        reply.header("set-cookie", oidcCookie(invitation, maxAgeSec, deps.secureCookies, OIDC_INVITE_COOKIE));
      return reply.redirect(url, 303);
    } catch (err) {
      if (err instanceof OidcError) return backToApp(reply, err.code, err.message);
      throw err;
    }
  });

  app.get("/v1/auth/oidc/:provider/callback", accountRoute("public"), async (request, reply) => {
    const { market, settings, openid, id } = openidOf(request);
    const store = storeOfMarket(deps, market);
    let who: Awaited<ReturnType<typeof openid.finish>>;
    try {
      const here = new URL(request.url, callbackUrl(request, id));
      who = await openid.finish(id, new URL(`${callbackUrl(request, id)}${here.search}`), cookieValue(request.headers.cookie, OIDC_COOKIE));
    } catch (err) {
      if (err instanceof OidcError) return backToApp(reply, err.code, err.message);
      throw err;
    }
    let user = await store.accounts.byIdentity(id, who.subject);
    const email = who.email?.trim().toLowerCase() || null;
    if (!user && email && who.emailVerified) {
      user = await store.accounts.byEmail(email);
      // Not linked to an account that has a password: where sign-up is open, anyone may have made it with this
      // email before its owner came by single sign-on, and would keep a way in (pre-sign-up takeover).
      if (user?.password_hash)
        return backToApp(
          reply,
          "account_exists",
          "An account with this email already exists here: sign in with its password (or reset it).",
        );
      if (user) await store.accounts.link(id, who.subject, user.id);
    }
    if (!user) {
      const token = cookieValue(request.headers.cookie, OIDC_INVITE_COOKIE);
      let link: Invitation | undefined;
      try {
        link = token ? await openLink(store, token, ["invite", "setup"]) : undefined;
        if (link?.email && (!who.emailVerified || link.email !== email))
          throw new GatewayError(
            400,
            "invalid_request_error",
            "This invitation is for another email address.",
            "invitation_email_mismatch",
          );
        if (link?.kind === "setup" && (await store.accounts.countAdmins()) > 0)
          throw new GatewayError(409, "invalid_request_error", "This market has an admin already.", "invitation_used");
        if (link && !(await store.accounts.useLink(link.id)))
          throw new GatewayError(409, "invalid_request_error", "This invitation has been used already.", "invitation_used");
      } catch (err) {
        if (err instanceof GatewayError) return backToApp(reply, err.code ?? "invitation_unknown", err.message);
        throw err;
      }
      if (!link && settings.signup !== "open")
        return backToApp(reply, "signup_closed", "You have no account here yet: ask an admin for an invitation.");
      user = await store.accounts.create({
        email: email && who.emailVerified ? email : null,
        name: who.name ?? email ?? who.subject,
        passwordHash: null,
        role: link?.role ?? "member",
        market,
      });
      // Two first sign-ins of one subject at once: the second finds the first's link (its key is provider and subject).
      const made = user;
      user = await store.accounts.link(id, who.subject, made.id).then(
        () => made,
        async () => (await store.accounts.byIdentity(id, who.subject)) ?? made,
      );
    }
    if (user.disabled_at !== null) return backToApp(reply, "account_disabled", "This account is disabled: ask an admin.");
    await startSession(deps, request, reply, store, user);
    // Fastify adds to set-cookie: the session's (set by startSession), then the spent OpenID state's, cleared.
    reply.header("set-cookie", oidcCookie("", 0, deps.secureCookies, OIDC_INVITE_COOKIE));
    return reply.header("set-cookie", oidcCookie("", 0, deps.secureCookies)).redirect("/", 303);
  });
}
