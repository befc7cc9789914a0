import { timingSafeEqual } from "node:crypto";
import * as client from "openid-client";
import type { OidcProviderConfig } from "./config.ts";
import { OidcError } from "./errors.ts";
import { describeFailure } from "./failures.ts";
import { type SignInState, seal, stateCookieKey, unseal } from "./state-cookie.ts";

export interface OidcSignInOptions {
  /** At least 32 bytes; seals the state cookie. A new secret voids sign-ins in progress, nothing else. */
  secret: Buffer;
  /** Used for every request to the providers (discovery, JWKS, token, userinfo). */
  fetch?: typeof fetch;
  /** Leeway for the ID token's exp/iat against this machine's clock. Default 30. */
  clockToleranceSec?: number;
}

export interface OidcStart {
  /** The provider's authorization URL to send the browser to. */
  url: string;
  /** The value of the short-lived state cookie to set (HttpOnly, SameSite=Lax so it rides the provider's redirect back). */
  cookie: string;
  maxAgeSec: number;
}

/** Who the provider vouches for. `subject` is stable per provider; the email may change or be absent. */
export interface OidcUser {
  subject: string;
  email: string | null;
  /** True only when the provider says it checked the address. */
  emailVerified: boolean;
  name: string | null;
}

const STATE_TTL_SEC = 600;
/** Seconds for each request to a provider: a stalled provider must not hold a sign-in request open. */
const REQUEST_TIMEOUT_SEC = 10;

/** Authorization code flow with PKCE, state and nonce, against the OpenID providers in benih.yaml. */
export class OidcSignIn {
  readonly #providers = new Map<string, OidcProviderConfig>();
  readonly #configs = new Map<string, Promise<client.Configuration>>();
  readonly #key: Buffer;
  readonly #fetch: typeof fetch | undefined;
  readonly #clockToleranceSec: number;

  constructor(providers: OidcProviderConfig[], o: OidcSignInOptions) {
    for (const p of providers) {
      if (this.#providers.has(p.id)) throw new Error(`Two OpenID Connect providers have the id "${p.id}"; each needs its own.`);
      this.#providers.set(p.id, p);
    }
    this.#key = stateCookieKey(o.secret);
    this.#fetch = o.fetch;
    this.#clockToleranceSec = o.clockToleranceSec ?? 30;
  }

  has(id: string): boolean {
    return this.#providers.has(id);
  }

  async start(providerId: string, redirectUri: string): Promise<OidcStart> {
    const provider = this.#provider(providerId);
    const redirect = new URL(redirectUri);
    // openid-client rebuilds redirect_uri from the callback URL without its query, so one with a query could never match.
    if (redirect.search || redirect.hash) throw new Error(`The OpenID Connect redirect URI must have no query or fragment: ${redirectUri}`);
    const config = await this.#config(provider);
    const codeVerifier = client.randomPKCECodeVerifier();
    const saved: SignInState = {
      provider: provider.id,
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      redirectUri: redirect.href,
      expiresAt: Date.now() + STATE_TTL_SEC * 1000,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: saved.redirectUri,
      scope: provider.scopes.join(" "),
      state: saved.state,
      nonce: saved.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
    });
    return { url: url.href, cookie: seal(this.#key, saved), maxAgeSec: STATE_TTL_SEC };
  }

  async finish(providerId: string, callbackUrl: URL, cookie: string | undefined): Promise<OidcUser> {
    const provider = this.#provider(providerId);
    if (!cookie) {
      throw new OidcError(
        "oidc_state_missing",
        `The sign-in with ${provider.name} came back without its session cookie: cookies may be blocked, or it was started in another browser. Start signing in again.`,
      );
    }
    const saved = unseal(this.#key, cookie);
    if (!saved) {
      throw new OidcError(
        "oidc_state_missing",
        `The session cookie of this sign-in with ${provider.name} could not be read: it was changed, or the server's secret changed since. Start signing in again.`,
      );
    }
    if (saved.expiresAt <= Date.now()) {
      throw new OidcError(
        "oidc_state_missing",
        `This sign-in with ${provider.name} took longer than ${STATE_TTL_SEC / 60} minutes and expired. Start signing in again.`,
      );
    }
    if (saved.provider !== provider.id) {
      throw new OidcError(
        "oidc_state_mismatch",
        `This sign-in was started with another provider than ${provider.name}, so its answer is refused. Start signing in again.`,
      );
    }
    const params = callbackUrl.searchParams;
    if (!sameText(params.get("state"), saved.state)) {
      throw new OidcError(
        "oidc_state_mismatch",
        `The answer from ${provider.name} does not belong to the sign-in started in this browser (its state differs), so it is refused. Start signing in again.`,
      );
    }
    const idpError = params.get("error");
    if (idpError !== null) {
      const description = params.get("error_description");
      throw new OidcError(
        "oidc_idp_error",
        `${provider.name} did not sign you in: ${idpError}${description ? ` (${description})` : ""}. Try again, or sign in another way.`,
      );
    }
    const config = await this.#config(provider);
    // The token request must repeat the redirect_uri sent at start, whatever host or proxy the callback came through.
    const current = new URL(saved.redirectUri);
    current.search = callbackUrl.search;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, {
        expectedState: saved.state,
        expectedNonce: saved.nonce,
        pkceCodeVerifier: saved.codeVerifier,
        idTokenExpected: true,
      });
    } catch (err) {
      throw describeFailure(err, provider.name, "token");
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcError("oidc_id_token_invalid", `${provider.name} answered without an ID token, so nobody can be signed in.`);
    let profile: Record<string, unknown> = claims;
    // Many providers put email and name only at the userinfo endpoint (oidc-provider does by default for the code flow).
    if (claims.email === undefined && config.serverMetadata().userinfo_endpoint) {
      try {
        profile = { ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
      } catch (err) {
        throw describeFailure(err, provider.name, "userinfo");
      }
    }
    return {
      subject: claims.sub,
      email: typeof profile.email === "string" && profile.email !== "" ? profile.email : null,
      // Some providers send the string "true".
      emailVerified: profile.email_verified === true || profile.email_verified === "true",
      name: displayName(profile),
    };
  }

  #provider(id: string): OidcProviderConfig {
    const provider = this.#providers.get(id);
    if (!provider) throw new OidcError("unknown_provider", `There is no sign-in provider "${id}" on this server.`);
    return provider;
  }

  /** Discovered once per provider; a failed discovery is forgotten so the next sign-in tries again. */
  #config(provider: OidcProviderConfig): Promise<client.Configuration> {
    let config = this.#configs.get(provider.id);
    if (!config) {
      config = this.#discover(provider);
      this.#configs.set(provider.id, config);
      config.catch(() => this.#configs.delete(provider.id));
    }
    return config;
  }

  async #discover(provider: OidcProviderConfig): Promise<client.Configuration> {
    const customFetch = this.#customFetch();
    let discovered: client.Configuration;
    try {
      discovered = await client.discovery(new URL(provider.issuer), provider.clientId, undefined, client.None(), {
        timeout: REQUEST_TIMEOUT_SEC,
        ...(customFetch ? { [client.customFetch]: customFetch } : {}),
        ...(provider.allowInsecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
    } catch (err) {
      throw describeFailure(err, provider.name, "discovery", provider.issuer);
    }
    const server = discovered.serverMetadata();
    const config = new client.Configuration(
      server,
      provider.clientId,
      {
        ...(provider.clientSecret ? { client_secret: provider.clientSecret } : {}),
        [client.clockTolerance]: this.#clockToleranceSec,
      },
      clientAuth(provider.clientSecret, server.token_endpoint_auth_methods_supported),
    );
    config.timeout = REQUEST_TIMEOUT_SEC;
    if (customFetch) config[client.customFetch] = customFetch;
    if (provider.allowInsecure) client.allowInsecureRequests(config);
    // Without this openid-client trusts the token endpoint's TLS alone and never checks the ID token's signature.
    client.enableNonRepudiationChecks(config);
    return config;
  }

  #customFetch(): client.CustomFetch | undefined {
    const f = this.#fetch;
    return f ? (url, options) => f(url, options as RequestInit) : undefined;
  }
}

/** client_secret_basic is the OpenID default; post only for providers that list post and not basic. */
function clientAuth(secret: string | undefined, supported: string[] | undefined): client.ClientAuth {
  if (!secret) return client.None();
  if (supported && !supported.includes("client_secret_basic") && supported.includes("client_secret_post")) {
    return client.ClientSecretPost(secret);
  }
  return client.ClientSecretBasic(secret);
}

function sameText(a: string | null, b: string): boolean {
  if (a === null) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function displayName(profile: Record<string, unknown>): string | null {
  const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
  const given = [text(profile.given_name), text(profile.family_name)].filter((s) => s !== null).join(" ");
  return text(profile.name) ?? (given || null) ?? text(profile.preferred_username);
}
