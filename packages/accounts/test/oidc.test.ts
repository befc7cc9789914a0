import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, mock, test } from "node:test";
import { OidcError, type OidcErrorCode, OidcSignIn, oidcProviderConfig } from "../src/oidc/index.ts";
import { signInAtIdp, startTestIdp, type TestIdp } from "./oidc-provider.ts";

const account = { sub: "acct-7f3a", email: "ayu@example.test", name: "Ayu Lestari" };

async function refusal(promise: Promise<unknown>, code: OidcErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof OidcError, `expected an OidcError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}

/** The test IdP as benih.yaml names it (the provider most cases sign in with). */
const idpConfig = (issuer: string) =>
  oidcProviderConfig.parse({
    id: "idp",
    name: "Test IdP",
    issuer,
    clientId: "benih",
    clientSecret: "benih-secret-0123456789",
    allowInsecure: true,
  });

describe("OpenID Connect sign-in against oidc-provider", () => {
  let idp: TestIdp;
  let signIn: OidcSignIn;
  const secret = randomBytes(32);

  before(async () => {
    idp = await startTestIdp(account, [
      { clientId: "benih", clientSecret: "benih-secret-0123456789" },
      // Issues ID tokens that live one second, for the expiry case.
      { clientId: "benih-brief", clientSecret: "benih-brief-secret-0123456789", idTokenTtlSec: 1 },
    ]);
    signIn = new OidcSignIn(
      [
        idpConfig(idp.issuer),
        oidcProviderConfig.parse({
          id: "other",
          name: "Other IdP",
          issuer: idp.issuer,
          clientId: "benih-brief",
          clientSecret: "benih-brief-secret-0123456789",
          allowInsecure: true,
        }),
      ],
      { secret },
    );
  });
  after(() => idp.close());

  async function toCallback(providerId = "idp") {
    const started = await signIn.start(providerId, idp.redirectUri);
    const callback = await signInAtIdp(started.url, idp.redirectUri, { login: account.sub });
    return { started, callback };
  }

  test("signs in: start, the provider's login and consent, callback, finish", async () => {
    const { started, callback } = await toCallback();
    const authorize = new URL(started.url);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    assert.equal(authorize.searchParams.get("scope"), "openid email profile");
    assert.equal(started.maxAgeSec, 600);
    // The cookie is sealed: none of the secrets sent to the provider can be read from it.
    for (const key of ["state", "nonce"]) assert.ok(!started.cookie.includes(authorize.searchParams.get(key)!));
    assert.ok(!Buffer.from(started.cookie, "base64url").toString("latin1").includes("idp"));

    const user = await signIn.finish("idp", callback, started.cookie);
    assert.deepEqual(user, { subject: account.sub, email: account.email, emailVerified: true, name: account.name });
  });

  test("refuses a callback whose state was changed, and one without its cookie, with a changed one, or an expired one", async () => {
    const { started, callback } = await toCallback();
    const forged = new URL(callback);
    forged.searchParams.set("state", "attacker-chosen");
    await refusal(
      signIn.finish("idp", forged, started.cookie),
      "oidc_state_mismatch",
      /does not belong to the sign-in started in this browser/,
    );
    await refusal(
      signIn.finish("idp", callback, undefined),
      "oidc_state_missing",
      /came back without its session cookie.*Start signing in again/,
    );

    const flipped = Buffer.from(started.cookie, "base64url");
    flipped[flipped.length - 1]! ^= 1;
    await refusal(signIn.finish("idp", callback, flipped.toString("base64url")), "oidc_state_missing", /could not be read: it was changed/);

    // A server with another secret cannot open it either.
    const elsewhere = new OidcSignIn(
      [oidcProviderConfig.parse({ id: "idp", name: "Test IdP", issuer: idp.issuer, clientId: "benih", allowInsecure: true })],
      {
        secret: randomBytes(32),
      },
    );
    await refusal(elsewhere.finish("idp", callback, started.cookie), "oidc_state_missing", /could not be read/);

    // Ten minutes later the cookie is refused even if the browser still sends it.
    mock.timers.enable({ apis: ["Date"], now: Date.now() + 601_000 });
    try {
      await refusal(signIn.finish("idp", callback, started.cookie), "oidc_state_missing", /took longer than 10 minutes and expired/);
    } finally {
      mock.timers.reset();
    }

    // The untouched callback still signs in: the refusals above did not spend the code.
    assert.equal((await signIn.finish("idp", callback, started.cookie)).subject, account.sub);
  });

  test("refuses a cookie started with one provider at another", async () => {
    const { started, callback } = await toCallback("idp");
    await refusal(signIn.finish("other", callback, started.cookie), "oidc_state_mismatch", /started with another provider than Other IdP/);
  });

  test("refuses an unknown provider", async () => {
    await refusal(signIn.start("nope", idp.redirectUri), "unknown_provider", /no sign-in provider "nope"/);
  });

  test("a code works once: the provider refuses it when the callback is replayed", async () => {
    const { started, callback } = await toCallback();
    assert.equal((await signIn.finish("idp", callback, started.cookie)).subject, account.sub);
    await refusal(signIn.finish("idp", callback, started.cookie), "oidc_code_rejected", /refused the sign-in code \(invalid_grant/);
  });

  test("refuses an ID token that expired before it was checked", async () => {
    // The token answer takes longer to arrive than the one second the provider gave the ID token.
    const slowTokens = new OidcSignIn(
      [
        oidcProviderConfig.parse({
          id: "other",
          name: "Other IdP",
          issuer: idp.issuer,
          clientId: "benih-brief",
          clientSecret: "benih-brief-secret-0123456789",
          allowInsecure: true,
        }),
      ],
      {
        secret,
        clockToleranceSec: 0,
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          if (String(input).endsWith("/token")) await new Promise((r) => setTimeout(r, 1100));
          return res;
        },
      },
    );
    const started = await slowTokens.start("other", idp.redirectUri);
    const callback = await signInAtIdp(started.url, idp.redirectUri, { login: account.sub });
    await refusal(
      slowTokens.finish("other", callback, started.cookie),
      "oidc_id_token_invalid",
      /ID token from Other IdP was refused: .*"exp"/,
    );
  });

  test("checks the ID token's signature against the provider's keys", async () => {
    // Someone between this server and the provider swaps in their own key set (same key id, other key).
    const impostor = await startTestIdp(account, [{ clientId: "benih", clientSecret: "benih-secret-0123456789" }]);
    try {
      const swappedKeys = new OidcSignIn([idpConfig(idp.issuer)], {
        secret,
        fetch: (input, init) => fetch(String(input) === `${idp.issuer}/jwks` ? `${impostor.issuer}/jwks` : input, init),
      });
      const started = await swappedKeys.start("idp", idp.redirectUri);
      const callback = await signInAtIdp(started.url, idp.redirectUri, { login: account.sub });
      await refusal(
        swappedKeys.finish("idp", callback, started.cookie),
        "oidc_id_token_invalid",
        /ID token from Test IdP was refused: JWT signature verification failed/,
      );
    } finally {
      await impostor.close();
    }
  });

  test("reports the provider's error when the person declines", async () => {
    const started = await signIn.start("idp", idp.redirectUri);
    const callback = await signInAtIdp(started.url, idp.redirectUri, { login: account.sub, deny: true });
    assert.equal(callback.searchParams.get("error"), "access_denied");
    await refusal(
      signIn.finish("idp", callback, started.cookie),
      "oidc_idp_error",
      /did not sign you in: access_denied \(End-User aborted interaction\)/,
    );
  });

  test("an unreachable issuer fails discovery; the next sign-in tries again, and a discovered provider is not asked again", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const issuer = `http://127.0.0.1:${port}`;
    let discoveries = 0;
    const late = new OidcSignIn(
      [
        oidcProviderConfig.parse({
          id: "late",
          name: "Late IdP",
          issuer,
          clientId: "benih",
          clientSecret: "benih-secret-0123456789",
          allowInsecure: true,
        }),
      ],
      {
        secret,
        fetch: (input, init) => {
          if (String(input).endsWith("/.well-known/openid-configuration")) discoveries++;
          return fetch(input, init);
        },
      },
    );
    await refusal(
      late.start("late", `${issuer}/cb`),
      "oidc_discovery_failed",
      new RegExp(`Late IdP could not be reached at ${issuer} \\(connect ECONNREFUSED`),
    );

    const lateIdp = await startTestIdp(account, [{ clientId: "benih", clientSecret: "benih-secret-0123456789" }], port);
    try {
      const started = await late.start("late", lateIdp.redirectUri);
      await late.start("late", lateIdp.redirectUri);
      assert.equal(discoveries, 2);
      const callback = await signInAtIdp(started.url, lateIdp.redirectUri, { login: account.sub });
      assert.equal((await late.finish("late", callback, started.cookie)).email, account.email);
    } finally {
      await lateIdp.close();
    }
  });

  test("refuses a provider whose metadata names another issuer", async () => {
    const issuer = idp.issuer.replace("127.0.0.1", "localhost");
    const misnamed = new OidcSignIn(
      [oidcProviderConfig.parse({ id: "mis", name: "Misnamed IdP", issuer, clientId: "benih", allowInsecure: true })],
      {
        secret,
      },
    );
    await refusal(
      misnamed.start("mis", idp.redirectUri),
      "oidc_discovery_failed",
      /configuration at http:\/\/localhost:\d+ could not be used \(.*issuer/,
    );
  });

  test("the config schema refuses an http issuer unless allowInsecure, and bad ids", () => {
    const base = { id: "corp", name: "Corp SSO", issuer: "http://sso.example.test", clientId: "c" };
    assert.equal(oidcProviderConfig.safeParse(base).success, false);
    assert.deepEqual(oidcProviderConfig.parse({ ...base, issuer: "https://sso.example.test" }).scopes, ["openid", "email", "profile"]);
    assert.equal(oidcProviderConfig.safeParse({ ...base, id: "Corp SSO" }).success, false);
    assert.equal(oidcProviderConfig.safeParse({ ...base, allowInsecure: true, extra: 1 }).success, false);
  });
});
