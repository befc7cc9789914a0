import { credentialsBody, logoutBody, resetBody, resetConfirmBody } from "@benih/contracts";
import { checkOrigin, GatewayError, parse, sessionCookieOf } from "@benih/gateway";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { mailFor } from "../mail/index.ts";
import { checkNewPassword, checkPassword, hashPassword, normalEmail } from "../password.ts";
import { sessionCookie } from "./cookies.ts";
import { accountRoute, type AccountsDeps, clientAddress } from "./deps.ts";
import { openLink } from "./links.ts";
import { endCookieSession, startSession, storeOfMarket, wrongCredentials } from "./sign-in.ts";

const RESET_TTL_MS = 60 * 60_000;

/** Where sign-in, sign-up, sign-out and password resets are answered (the OpenID routes are in oidc-routes.ts). */
export function registerAuthRoutes(app: FastifyInstance, deps: AccountsDeps): void {
  /** A sign-in form posted from another site's page is refused (login CSRF); the request's market and its settings. */
  const entry = (request: FastifyRequest) => {
    checkOrigin(request.headers);
    const market = deps.marketOf(request);
    return { market, settings: deps.settingsOf(market), store: storeOfMarket(deps, market) };
  };
  const passwordOn = (on: boolean) => {
    if (!on)
      throw new GatewayError(403, "permission_error", "This market signs people in with single sign-on only.", "password_sign_in_off");
  };

  app.get("/v1/auth/methods", accountRoute("public"), async (request) => {
    const settings = deps.settingsOf(deps.marketOf(request));
    return { required: deps.required, signup: settings.signup, password: settings.password, oidc: settings.oidc };
  });

  app.post("/v1/auth/login", accountRoute("public"), async (request, reply) => {
    const { settings, store } = entry(request);
    passwordOn(settings.password);
    const body = parse(credentialsBody, request.body);
    const email = normalEmail(body.email);
    await deps.throttle.check(email, clientAddress(request));
    const user = await store.accounts.byEmail(email);
    const ok = (await checkPassword(user?.password_hash, body.password)) && user && user.disabled_at === null;
    if (!ok || !user) {
      await deps.throttle.failed(email, clientAddress(request));
      throw wrongCredentials();
    }
    await deps.throttle.succeeded(email);
    return startSession(deps, request, reply, store, user);
  });

  app.post("/v1/auth/signup", accountRoute("public"), async (request, reply) => {
    const { market, settings, store } = entry(request);
    passwordOn(settings.password);
    const body = parse(credentialsBody, request.body);
    const email = normalEmail(body.email);
    checkNewPassword(body.password);
    await deps.throttle.check(email, clientAddress(request));
    const link = body.invitation ? await openLink(store, body.invitation, ["invite", "setup"]) : undefined;
    if (link?.email && link.email !== email)
      throw new GatewayError(
        400,
        "invalid_request_error",
        "This invitation is for another email address.",
        "invitation_email_mismatch",
        "email",
      );
    if (!link && settings.signup !== "open")
      throw settings.signup === "invite"
        ? new GatewayError(403, "permission_error", "Signing up here needs an invitation: ask an admin for a link.", "invitation_required")
        : new GatewayError(403, "permission_error", "Signing up is closed here: ask an admin to add you.", "signup_closed");
    const existing = await store.accounts.byEmail(email);
    if (existing) {
      // Signing up again with the right password signs in; with another, the same refusal as a wrong sign-in.
      if (existing.disabled_at === null && (await checkPassword(existing.password_hash, body.password))) {
        return startSession(deps, request, reply, store, existing);
      }
      await deps.throttle.failed(email, clientAddress(request));
      throw wrongCredentials();
    }
    if (link?.kind === "setup" && (await store.accounts.countAdmins()) > 0)
      throw new GatewayError(
        409,
        "invalid_request_error",
        "This market has an admin already: ask them for an invitation.",
        "invitation_used",
      );
    if (link && !(await store.accounts.useLink(link.id)))
      throw new GatewayError(409, "invalid_request_error", "This invitation has been used already.", "invitation_used");
    const user = await store.accounts
      .create({
        email,
        name: email.slice(0, email.indexOf("@")),
        passwordHash: await hashPassword(body.password),
        role: link?.role ?? "member",
        market,
      })
      .catch(async () => {
        if (link) await store.accounts.releaseLink(link.id); // not spent on an account that was not made
        throw wrongCredentials(); // the same email signed up at the same moment
      });
    if (link)
      await store.accounts.audit({
        actor: user.email ?? user.id,
        action: `${link.kind}.accepted`,
        target: user.id,
        detail: { role: user.role },
      });
    return reply.code(201).send(await startSession(deps, request, reply, store, user));
  });

  app.post("/v1/auth/logout", accountRoute("public"), async (request, reply) => {
    checkOrigin(request.headers);
    const { everywhere } = parse(logoutBody, request.body);
    if (everywhere) {
      const cookie = sessionCookieOf(request.headers)?.value;
      const session = cookie && (await deps.directory.session(cookie));
      if (session) {
        await storeOfMarket(deps, session.market).accounts.endSessionsOf(session.person.id);
        deps.auth.forgetPerson(session.person.id);
      }
    }
    await endCookieSession(deps, request);
    reply.header("set-cookie", sessionCookie("", 0, deps.secureCookies));
    return reply.code(204).send();
  });

  // A reset is answered alike whether or not the email has an account, and its mail is sent after the answer.
  app.post("/v1/auth/reset", accountRoute("public"), async (request, reply) => {
    const { market, store } = entry(request);
    const { email: raw } = parse(resetBody, request.body);
    const email = normalEmail(raw);
    // Counted apart from sign-ins (a stranger's resets must not lock the person out), each one: mail is not free.
    await deps.throttle.check(`reset:${email}`, `reset:${clientAddress(request)}`);
    await deps.throttle.failed(`reset:${email}`, `reset:${clientAddress(request)}`);
    const origin = deps.originOf(request);
    void (async () => {
      const user = await store.accounts.byEmail(email);
      if (!user || user.disabled_at !== null || !deps.mailer) return;
      const { token } = await store.accounts.createLink({
        kind: "reset",
        email,
        role: user.role,
        createdBy: "reset",
        ttlMs: RESET_TTL_MS,
        userId: user.id,
      });
      await deps.mailer.send(
        email,
        mailFor("reset", deps.localeOf(market), { brand: deps.brandOf(market), url: `${origin}/?reset=${token}`, hours: 1 }),
      );
    })().catch((err: Error) => request.log.error({ err: err.message }, "could not mail a password reset"));
    return reply.code(202).send({ status: "sent_if_account_exists" });
  });

  app.post("/v1/auth/reset/confirm", accountRoute("public"), async (request, reply) => {
    const { store } = entry(request);
    const body = parse(resetConfirmBody, request.body);
    checkNewPassword(body.password);
    const link = await openLink(store, body.token, ["reset"]);
    if (!link.user_id || !(await store.accounts.useLink(link.id)))
      throw new GatewayError(409, "invalid_request_error", "This reset link has been used already.", "reset_used");
    await store.accounts.update(link.user_id, { password_hash: await hashPassword(body.password) });
    await store.accounts.endSessionsOf(link.user_id);
    deps.auth.forgetPerson(link.user_id);
    return reply.code(204).send();
  });
}
