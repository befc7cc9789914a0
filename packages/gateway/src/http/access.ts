import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { GatewayError } from "../errors.ts";
import type { RequestScope, ResolveScope } from "../scope.ts";
import { checkLocalHost, checkOrigin, isOperator, presentedKey, sessionCookieOf, subjectOf, type Principal } from "./auth.ts";
import { LiveRequests } from "./live-requests.ts";
import { abnormalPath } from "./normal-path.ts";

/**
 * Who may call a route. Every route declares one; the server decides on the route it matched, never on the raw
 * URL (a path spelled `/%761/models` matches `/v1/models` and is judged as it).
 * - `public`: anyone (health, the web app's files).
 * - `person`: a valid API key or session when sign-in is required, anyone on an open loopback server; the request
 *   gets its market's scope.
 * - `admin`: an operator (an admin key of the home store) when sign-in is required, anyone on an open loopback server.
 * - `market-admin`: an operator or an admin of the request's market, for that market's own data (its people, usage,
 *   answers' ratings): the request gets its market's scope as `person` routes do.
 * - `agent`: a training agent's region token.
 */
export type Access = "public" | "person" | "admin" | "market-admin" | "agent";

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
    /** The route makes model work (an answer, an image, a video): each call counts as one request in quotas. */
    metered?: boolean;
    /**
     * The server's own work (embedding a market's documents in the background) may call this route with its
     * internal token and no credential, as itself or for a person it names in `x-benih-on-behalf-of`; every other
     * route needs the caller's key or session as usual.
     */
    serverWork?: boolean;
  }
  interface FastifyRequest {
    /** The caller, when a live key or session was sent. */
    principal?: Principal;
    /** Set before the handler of every `person` and `market-admin` route runs: the market the request belongs to. */
    scope?: RequestScope;
    /** The server's own call for the caller (x-benih-internal): the caller's request was counted already. */
    internal?: boolean;
    /** Set for `agent` routes: the region whose token the agent sent. */
    agentRegion?: string;
  }
}

/** Route options that declare who may call it: `app.get("/v1/models", access("person"), handler)`. */
export const access = (who: Access) => ({ config: { access: who } });

/** A `person` route whose calls make model work and count against the caller's requests per minute. */
export const metered = () => ({ config: { access: "person" as const, metered: true } });

export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
  /** The server's own work may call it with its internal token alone (see `serverWork`). */
  serverWork?: true;
}

export interface AccessOptions {
  /** Who a request comes from by its key or session (a 401 when one is required and missing or not live); the Authenticator. */
  auth: {
    readonly required: boolean;
    authenticate(headers: FastifyRequest["headers"], method: string, internal: boolean): Promise<Principal | undefined>;
    /** Whether a principal's key or session is still live; with it, long requests of one that is not are ended. */
    stillLive?(principal: Principal): Promise<boolean>;
    /** The person the server's own work is for (x-benih-on-behalf-of); without it such work is refused. */
    onBehalfOf?(personId: string, market: string | null): Promise<Principal | undefined>;
  };
  /** The market a `person` request belongs to, or a GatewayError. */
  resolveScope: ResolveScope;
  /** The region an agent token speaks for; without it `agent` routes refuse everyone. */
  agentRegion?: (token: string | undefined) => string | undefined;
  /**
   * POST requests (the ones that call models, read documents or draw) one person (or operator's key) may have open
   * at once; more are answered 429, so one caller cannot take every model slot. Default 8.
   */
  concurrentPerKey?: number;
  /**
   * A secret of this process that the server's own calls (the assistant asking the gateway for an answer) send as
   * `x-benih-internal`: the request that made them already holds the caller's slot.
   */
  internalToken?: string;
  /** Host names besides this machine's own that an open loopback server answers (its markets' `hosts`). */
  knownHost?: (host: string) => boolean;
}

/**
 * Checks every request against the access its matched route declares, before the body is read; refuses paths
 * not in normal form first. A server using it will not start with a route that declares no access.
 */
export function enforceAccess(app: FastifyInstance, o: AccessOptions): void {
  requireAccessDeclarations(app);
  const inFlight = new Map<string, number>();
  const limit = o.concurrentPerKey ?? 8;
  const live = o.auth.stillLive && new LiveRequests(o.auth.stillLive.bind(o.auth));
  if (live) app.addHook("onClose", (_app, done) => (live.close(), done()));
  /** Counts the request against its subject until its response closes (finished, failed or abandoned). */
  const hold = (_request: FastifyRequest, reply: FastifyReply, subject: string) => {
    const n = inFlight.get(subject) ?? 0;
    if (n >= limit)
      throw new GatewayError(
        429,
        "rate_limit_error",
        `You already have ${n} requests in progress; the limit is ${limit}. Wait for one to finish.`,
        "too_many_concurrent_requests",
        null,
        1,
      );
    inFlight.set(subject, n + 1);
    reply.raw.once("close", () => {
      const left = (inFlight.get(subject) ?? 1) - 1;
      if (left) inFlight.set(subject, left);
      else inFlight.delete(subject);
    });
  };
  const token = o.internalToken ? Buffer.from(o.internalToken) : undefined;
  const isInternal = (request: FastifyRequest) => {
    const sent = request.headers["x-benih-internal"];
    if (!token || typeof sent !== "string") return false;
    const given = Buffer.from(sent);
    return given.length === token.length && timingSafeEqual(given, token);
  };
  const admit = (request: FastifyRequest, reply: FastifyReply, principal: Principal | undefined, who: Access, ownWork: boolean) => {
    if (principal) request.principal = principal;
    // An open loopback server trusts whoever reaches it by its own names, but not another site's page in the
    // owner's browser: neither one that rebinds its name to this machine nor one that posts across origins.
    const owner = !principal && !o.auth.required;
    if (owner && request.method !== "GET" && request.method !== "HEAD") checkOrigin(request.headers);
    if (isInternal(request)) request.internal = true;
    else if (principal && request.method === "POST") {
      hold(request, reply, subjectOf(principal));
      live?.watch(principal, reply);
    }
    if (who === "admin" || who === "market-admin") {
      const allowed = who === "admin" ? isOperator(principal) : principal?.role === "admin";
      if (o.auth.required && !allowed)
        throw new GatewayError(
          403,
          "permission_error",
          `${request.routeOptions.url} needs ${who === "admin" ? "an operator's admin key" : "an admin of this market"}.`,
          "admin_only",
        );
      if (who === "admin") {
        if (owner) checkLocalHost(request.headers, o.knownHost);
        return;
      }
    }
    // Resolved first: a host no market serves is answered 421 with the hosts that are.
    // The server's own work names its market (x-benih-market); a person it works for is one of that market's.
    request.scope = o.resolveScope({ host: request.headers.host, headers: request.headers, principal, serverWork: ownWork });
    if (owner) checkLocalHost(request.headers, o.knownHost);
    if (request.scope.market) reply.header("x-benih-market", request.scope.market);
  };
  // Refusals are answered here, in OpenAI's shape, so any Fastify app that enforces access answers alike.
  const refuse = (reply: FastifyReply, err: unknown, done: (err?: Error) => void) => {
    if (!(err instanceof GatewayError)) return done(err as Error);
    if (err.retryAfter !== undefined) reply.header("retry-after", String(err.retryAfter));
    void reply.code(err.status).send(err.toBody());
  };
  // Callback style: on the hot path an async hook costs a promise and a microtask turn per request.
  app.addHook("onRequest", (request, reply, done) => {
    const abnormal = abnormalPath(request.url);
    if (abnormal) return refuse(reply, new GatewayError(400, "invalid_request_error", `${abnormal}.`, "non_normal_path"), done);
    if (request.is404) return done();
    const who = request.routeOptions.config.access!;
    if (who === "public") return done();
    if (who === "agent") {
      const region = o.agentRegion?.(presentedKey(request.headers));
      if (!region)
        return refuse(
          reply,
          new GatewayError(
            401,
            "invalid_request_error",
            "This route is for training agents: send your region's agent token as 'Authorization: Bearer <token>'.",
            "invalid_agent_token",
          ),
          done,
        );
      request.agentRegion = region;
      return done();
    }
    // The server's own work (embedding a market's documents in the background) presents no credential.
    const ownWork =
      request.routeOptions.config.serverWork === true &&
      isInternal(request) &&
      !presentedKey(request.headers) &&
      !sessionCookieOf(request.headers);
    // Work for a person is charged to them: only the server's own work may name whom it is for. Anyone else who
    // names someone is refused, not served as themselves: the header says they meant to act as another.
    const forPerson = request.headers[ON_BEHALF_OF];
    if (forPerson !== undefined && !ownWork)
      return refuse(
        reply,
        new GatewayError(
          403,
          "permission_error",
          `${ON_BEHALF_OF} is for the server's own work; send your own key or session, and no ${ON_BEHALF_OF}.`,
          "on_behalf_of_refused",
        ),
        done,
      );
    const principalOf = (): Promise<Principal | undefined> => {
      if (!ownWork) return o.auth.authenticate(request.headers, request.method, isInternal(request));
      if (forPerson === undefined) return Promise.resolve(undefined);
      const market = request.headers["x-benih-market"];
      const found =
        typeof forPerson === "string" && forPerson && o.auth.onBehalfOf?.(forPerson, typeof market === "string" ? market : null);
      return (found || Promise.resolve(undefined)).then((p) => {
        if (!p)
          throw new GatewayError(
            403,
            "permission_error",
            `No person ${String(forPerson).slice(0, 100)} to do this work for here (unknown or disabled).`,
            "on_behalf_of_unknown",
          );
        return p;
      });
    };
    principalOf().then(
      (principal) => {
        try {
          admit(request, reply, principal, who, ownWork);
        } catch (err) {
          return refuse(reply, err, done);
        }
        done();
      },
      (err: unknown) => refuse(reply, err, done),
    );
  });
}

/** The header naming the person the server's own work is for (see `serverWork`). */
export const ON_BEHALF_OF = "x-benih-on-behalf-of";

/** The request's market scope; a route that is not `person` has none, and asking for it there is a bug. */
export function scopeOf(request: FastifyRequest): RequestScope {
  if (!request.scope)
    throw new GatewayError(
      500,
      "server_error",
      `${request.routeOptions.url} has no market scope: declare it access("person").`,
      "no_scope",
    );
  return request.scope;
}

const declared = new WeakMap<FastifyInstance, RouteOptions[]>();

/**
 * Records every route as it is added (plugins' too) and refuses to start a server with one that declares no
 * access: an undeclared route would otherwise be open to anyone.
 */
function requireAccessDeclarations(app: FastifyInstance): void {
  const routes: RouteOptions[] = [];
  declared.set(app, routes);
  app.addHook("onRoute", (route) => void routes.push(route));
  app.addHook("onReady", (done) => {
    const missing = routes.filter((r) => !r.config?.access).map((r) => `${[r.method].flat().join(",")} ${r.url}`);
    done(
      missing.length
        ? new Error(
            `routes that declare no access (add access("public" | "person" | "admin" | "market-admin" | "agent")): ${missing.join("; ")}`,
          )
        : undefined,
    );
  });
}

/** Gives every route added inside `app` (a child context) that declares none this access, e.g. static files. */
export function declareAll(app: FastifyInstance, who: Access): void {
  app.addHook("onRoute", (route) => {
    route.config = { ...route.config, access: route.config?.access ?? who };
  });
}

/** The server's routes as it runs: method, path pattern and who may call it (for tests and the OpenAPI check). */
export function routeTable(app: FastifyInstance): RouteEntry[] {
  const routes = declared.get(app) ?? [];
  return routes.flatMap((r) =>
    [r.method].flat().map((method) => ({
      method,
      url: r.url,
      access: r.config!.access!,
      ...(r.config!.serverWork === true && { serverWork: true as const }),
    })),
  );
}
