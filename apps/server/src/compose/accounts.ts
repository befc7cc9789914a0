import { randomBytes } from "node:crypto";
import {
  AccountDirectory,
  OidcSignIn,
  openMailer,
  openSetupLinks,
  registerAccounts,
  RedisFailureLog,
  SignInThrottle,
  type SignInSettings,
} from "@benih/accounts";
import { type Authenticator, GatewayError, hostName, isLocalHost, LimitsByMarket, scopeOf } from "@benih/gateway";
import { localized } from "@benih/markets";
import type { Store } from "@benih/store";
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import type { BenihConfig } from "../config/schema.ts";
import { isLoopback } from "../loopback.ts";
import type { MarketRuntime } from "../markets.ts";
import type { Closers } from "./lifecycle.ts";

/** Whether any `auth` in benih.yaml says how people sign in: then sign-in is required, on loopback too. */
export const peopleConfigured = (config: BenihConfig): boolean =>
  [config.auth, ...config.markets.map((m) => m.auth ?? {})].some(
    (a) => a.signup !== undefined || a.password !== undefined || !!a.oidc?.length,
  );

/** Where keys and sessions are found across the home store and the markets' (see AccountDirectory). */
export function accountDirectory(config: BenihConfig, store: Store, markets: MarketRuntime | undefined): AccountDirectory {
  const { idleHours, absoluteDays } = config.auth.session;
  return new AccountDirectory(store, markets?.stores, { idleMs: idleHours * 3_600_000, absoluteMs: absoluteDays * 86_400_000 });
}

/**
 * Each market's sign-in settings (its `auth` over the server's; by default sign-up by invitation and passwords on),
 * its OpenID providers, mail when SMTP is set, and the accounts routes on the app.
 */
export function registerAccountRoutes(
  app: FastifyInstance,
  d: {
    config: BenihConfig;
    directory: AccountDirectory;
    auth: Authenticator;
    markets: MarketRuntime | undefined;
    required: boolean;
    env: NodeJS.ProcessEnv;
  },
  closers: Closers,
): void {
  const { config, markets } = d;
  // Failed sign-ins are counted where every instance sees them when REDIS_URL is set.
  const redisUrl = d.env.REDIS_URL?.trim();
  const failures = redisUrl
    ? RedisFailureLog.open(redisUrl, (err) =>
        app.log.warn({ err: err.message }, "sign-in throttle: Redis cannot be reached; counting here"),
      )
    : undefined;
  if (failures) closers.push(async () => failures.close());
  // OpenID's state cookie is sealed with this: set BENIH_SECRET (32+ bytes) when several instances share sign-ins.
  const secret = d.env.BENIH_SECRET && d.env.BENIH_SECRET.length >= 32 ? Buffer.from(d.env.BENIH_SECRET) : randomBytes(32);
  const settings = new Map<string | null, SignInSettings>();
  for (const m of markets ? config.markets : [undefined]) {
    const own = { ...config.auth, ...m?.auth };
    const oidc = own.oidc ?? [];
    settings.set(m?.id ?? null, {
      signup: own.signup ?? "invite",
      password: own.password ?? true,
      oidc: oidc.map((p) => ({ id: p.id, name: p.name })),
      ...(oidc.length && { openid: new OidcSignIn(oidc, { secret }) }),
    });
  }
  const mailer = config.smtp && openMailer(config.smtp);
  if (mailer) closers.push(() => mailer.close());
  const limits = new LimitsByMarket(
    config.quota,
    config.markets.map((m) => [m.id, m.quota] as const),
  );
  const marketOf = (request: FastifyRequest): string | null => {
    if (request.scope) return scopeOf(request).market ?? null;
    return markets
      ? (markets.resolveScope({ host: request.headers.host, headers: request.headers, principal: undefined }).market ?? null)
      : null;
  };
  registerAccounts(app, {
    directory: d.directory,
    auth: d.auth,
    required: d.required,
    secureCookies: !isLoopback(config.server.host),
    marketOf,
    settingsOf: (market) => settings.get(market) ?? settings.values().next().value!,
    quotaOf: (market, own) => limits.of(market, own),
    ...(mailer && { mailer }),
    brandOf: (market) => {
      const p = market ? markets?.markets.get(market)?.profile : undefined;
      return p ? localized(p.brand.name, p.defaultLocale, p.defaultLocale) : "benih";
    },
    localeOf: (market) => (market && markets?.markets.get(market)?.profile.defaultLocale) || "en",
    throttle: new SignInThrottle(failures),
    originOf: (request) => {
      const host = request.headers.host ?? "";
      if (isLocalHost(host) || config.markets.some((m) => m.hosts.includes(hostName(host))))
        return `${isLoopback(config.server.host) ? request.protocol : "https"}://${host}`;
      if (config.server.publicUrl) return config.server.publicUrl.replace(/\/$/, "");
      throw new GatewayError(
        400,
        "invalid_request_error",
        `Links for ${host.slice(0, 100) || "this request"} cannot be made: set server.publicUrl (how people reach this server) or list the host in a market's hosts.`,
        "public_url_unknown",
      );
    },
  });
}

/** Prints a one-time link for the first admin of each market that has none (sign-in required only). */
export async function announceSetupLinks(
  store: Store,
  markets: MarketRuntime | undefined,
  origin: string,
  log?: FastifyBaseLogger,
): Promise<void> {
  const stores: Array<[string | null, Store]> = markets ? [...markets.stores] : [[null, store]];
  for (const { market, url } of await openSetupLinks(stores, origin))
    log?.warn({ market, url }, "no admin yet: open this one-time link (valid 24 h) to make the first admin account");
}
