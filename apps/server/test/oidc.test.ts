import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { request } from "undici";
import { signInAtIdp, startTestIdp, type TestAccount, type TestIdp } from "../../../packages/accounts/test/oidc-provider.ts";
import { startServer } from "./harness.ts";
import { marketYaml } from "./market-yaml.ts";
import { freePort } from "./ports.ts";

// Single sign-on through the server's routes as a browser meets it: benih sends it to a real OpenID provider
// (oidc-provider), it signs in there, comes back to the callback and holds a session; and every way the answer
// can be wrong (forged state, a spent code, an expired ID token) sends it back to the app with a reason it can show.

const ana: TestAccount = { sub: "ana-7f3a", email: "ana@example.test", name: "Ana Putri" };
// The provider spells the address as it was typed; the person signed up with it lower-cased.
const bo: TestAccount = { sub: "bo-19c2", email: "Bo@Example.test", name: "Bo Santoso" };

const provider = (id: string, name: string, port: number, secret: string) =>
  `{ id: ${id}, name: "${name}", issuer: "http://127.0.0.1:${port}", clientId: benih, clientSecret: "${secret}", allowInsecure: true }`;

const yaml = (idpPort: number, slowClockPort: number) => `
auth:
  signup: open
  oidc:
    - ${provider("idp", "Test IdP", idpPort, "benih-secret-0123456789")}
    - ${provider("late", "Late IdP", slowClockPort, "benih-late-secret-0123456789")}
training: { localAgent: false }
markets:${marketYaml("global", "localhost")}${marketYaml("cn", "cn.localhost", "\n    auth: { signup: invite }")}
`;

interface Answer {
  status: number;
  location: string | null;
  /** x-benih-error-detail: what went wrong, for API clients and logs. */
  detail: string | null;
  setCookies: string[];
  json: any;
}

/** A browser on one site: a cookie jar that honours Path and Max-Age=0, and no redirects followed by itself. */
class Browser {
  readonly jar = new Map<string, { value: string; path: string }>();
  constructor(readonly host: string) {}

  get origin() {
    return `http://${this.host}`;
  }

  async get(pathAndQuery: string): Promise<Answer> {
    const path = new URL(pathAndQuery, this.origin).pathname;
    const cookie = [...this.jar]
      .filter(([, c]) => path.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join("; ");
    const res = await request(`${server.url}${pathAndQuery}`, {
      headers: { host: this.host, ...(cookie && { cookie }) },
    });
    const text = await res.body.text();
    const setCookies = [res.headers["set-cookie"] ?? []].flat();
    for (const line of setCookies) {
      const [pair = "", ...attributes] = line.split(";").map((s) => s.trim());
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      const path = attributes.find((a) => a.startsWith("Path="))?.slice(5) ?? "/";
      if (value === "" || attributes.includes("Max-Age=0")) this.jar.delete(name);
      else this.jar.set(name, { value, path });
    }
    const json = text && res.headers["content-type"]?.toString().includes("json") ? JSON.parse(text) : text;
    return {
      status: res.statusCode,
      location: res.headers.location?.toString() ?? null,
      detail: res.headers["x-benih-error-detail"]?.toString() ?? null,
      setCookies,
      json,
    };
  }

  /** The provider's page the server sent the browser to, signed in there: the callback URL it sends the browser back to. */
  async toCallback(providerId: string, login: string, invitation?: string): Promise<URL> {
    const { status, location, json } = await this.get(`/v1/auth/oidc/${providerId}/start${invitation ? `?invitation=${invitation}` : ""}`);
    assert.equal(status, 303, JSON.stringify(json));
    if (!location?.startsWith("http://127.0.0.1:")) assert.fail(`sent to the provider, not to ${location}`);
    return signInAtIdp(location, `${this.origin}/v1/auth/oidc/${providerId}/callback`, { login });
  }

  async signIn(providerId: string, login: string, invitation?: string): Promise<Answer> {
    const callback = await this.toCallback(providerId, login, invitation);
    return this.get(`${callback.pathname}${callback.search}`);
  }
}

/** Where a refused sign-in sends the browser: back to the app with the reason's code; its detail in a header. */
function refusal(answer: Answer): { code: string | null; message: string | null } {
  assert.equal(answer.status, 303);
  const back = new URL(answer.location ?? "", "http://app.invalid");
  assert.equal(back.pathname, "/", "back to the app");
  assert.deepEqual([...back.searchParams.keys()], ["signin_error"], "no text of the server's in the app's address");
  return { code: back.searchParams.get("signin_error"), message: answer.detail };
}

const sessionSet = (answer: Answer) => answer.setCookies.some((c) => /^benih_session=[^;]/.test(c));

/**
 * An oidc-provider in its own process whose clock runs two minutes slow: every ID token it issues (valid one
 * second) has expired, beyond any clock leeway, by the time this server reads it.
 */
async function startSlowClockIdp(port: number, redirectUris: string[]): Promise<ChildProcess> {
  const helper = new URL("../../../packages/accounts/test/oidc-provider.ts", import.meta.url).href;
  const code = `
    const now = Date.now;
    Date.now = () => now() - 120_000;
    const { startTestIdp } = await import(${JSON.stringify(helper)});
    await startTestIdp(${JSON.stringify(ana)}, [
      { clientId: "benih", clientSecret: "benih-late-secret-0123456789", idTokenTtlSec: 1, redirectUris: ${JSON.stringify(redirectUris)} },
    ], ${port});
    console.log("listening");`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await Promise.race([once(child.stdout!, "data"), once(child, "exit")])) as [Buffer | number];
  assert.match(String(line), /listening/, "the slow-clock provider started");
  return child;
}

let server: Awaited<ReturnType<typeof startServer>>;
let idp: TestIdp;
let slowClock: ChildProcess;
let global: string;
let cn: string;

before(async () => {
  // The server names the providers' issuers in its config, and the providers need its callback URLs (which carry its
  // port): reserve their ports, start the server, then the providers, which it discovers only at the first sign-in.
  const [idpPort, slowClockPort] = [await freePort(), await freePort()];
  server = await startServer({ yaml: yaml(idpPort, slowClockPort) });
  const port = new URL(server.url).port;
  global = `localhost:${port}`;
  cn = `cn.localhost:${port}`;
  const callbacks = (id: string) => [global, cn].map((host) => `http://${host}/v1/auth/oidc/${id}/callback`);
  [idp, slowClock] = await Promise.all([
    startTestIdp([ana, bo], [{ clientId: "benih", clientSecret: "benih-secret-0123456789", redirectUris: callbacks("idp") }], idpPort),
    startSlowClockIdp(slowClockPort, callbacks("late")),
  ]);
});
after(async () => {
  slowClock?.kill();
  await idp?.close();
  await server?.close();
});

describe("single sign-on through the server", () => {
  it("signs a new person in with an HttpOnly, SameSite=Lax session, the same person next time", async () => {
    const b = new Browser(global);
    const started = await b.get("/v1/auth/oidc/idp/start");
    assert.equal(started.status, 303);
    const authorize = new URL(started.location!);
    assert.equal(authorize.origin, idp.issuer);
    assert.equal(authorize.searchParams.get("redirect_uri"), `http://${global}/v1/auth/oidc/idp/callback`);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    const stateCookie = started.setCookies.find((c) => c.startsWith("benih_oidc="))!;
    assert.match(stateCookie, /HttpOnly/);
    assert.match(stateCookie, /SameSite=Lax/, "it must ride the provider's top-level redirect back");
    assert.match(stateCookie, /Path=\/v1\/auth\/oidc/);

    const callback = await signInAtIdp(started.location!, `${b.origin}/v1/auth/oidc/idp/callback`, { login: ana.sub });
    const back = await b.get(`${callback.pathname}${callback.search}`);
    assert.equal(back.status, 303);
    assert.equal(back.location, "/");
    const session = back.setCookies.find((c) => c.startsWith("benih_session="))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Lax/);
    assert.match(session, /Path=\//);
    assert.ok(
      back.setCookies.some((c) => /^benih_oidc=;.*Max-Age=0/.test(c)),
      "the spent sign-in state is cleared",
    );
    assert.ok(!b.jar.has("benih_oidc"));

    const me = await b.get("/v1/me");
    assert.equal(me.status, 200, JSON.stringify(me.json));
    assert.equal(me.json.email, ana.email, "the provider's verified email");
    assert.equal(me.json.name, ana.name);
    assert.equal(me.json.market, "global", "the market of the host the browser came to");
    assert.equal(me.json.role, "member");

    const again = new Browser(global);
    assert.equal((await again.signIn("idp", ana.sub)).location, "/");
    assert.equal((await again.get("/v1/me")).json.id, me.json.id, "the same subject is the same person");
  });

  it("does not link a password account with the same email: its maker may not own the address", async () => {
    const b = new Browser(global);
    const made = await request(`${server.url}/v1/auth/signup`, {
      method: "POST",
      headers: { host: global, origin: `http://${global}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "bo@example.test", password: "correct horse battery" }),
    });
    const person = (await made.body.json()) as { id: string };
    assert.equal(made.statusCode, 201, JSON.stringify(person));

    const { code, message } = refusal(await b.signIn("idp", bo.sub));
    assert.equal(code, "account_exists");
    assert.match(message!, /sign in with its password/);
    assert.equal((await b.get("/v1/me")).status, 401, "no session");
    assert.equal(await server.markets!.stores.get("global")!.accounts.byIdentity("idp", bo.sub), undefined, "and no link");
  });

  it("refuses someone unknown where sign-up is by invitation", async () => {
    const b = new Browser(cn);
    const back = await b.signIn("idp", ana.sub);
    const { code, message } = refusal(back);
    assert.equal(code, "signup_closed", "known in another market is no account in this one");
    assert.match(message!, /no account here yet: ask an admin for an invitation/);
    assert.ok(!sessionSet(back));
    assert.equal((await b.get("/v1/me")).status, 401);
  });

  it("lets an invited person join a market by invitation through single sign-on, once", async () => {
    const store = server.markets!.stores.get("cn")!.accounts;
    const { token } = await store.createLink({
      kind: "invite",
      email: "ana@example.test",
      role: "member",
      createdBy: "test",
      ttlMs: 60_000,
    });
    const b = new Browser(cn);
    const joined = await b.signIn("idp", ana.sub, token);
    assert.equal(joined.location, "/", joined.detail ?? "");
    const me = (await b.get("/v1/me")).json;
    assert.deepEqual([me.email, me.market], ["ana@example.test", "cn"]);
    const spent = await store.peekLink(token);
    assert.equal(spent, "used");
    const other = await store.createLink({
      kind: "invite",
      email: "someone.else@example.test",
      role: "member",
      createdBy: "test",
      ttlMs: 60_000,
    });
    const { code } = refusal(await new Browser(cn).signIn("idp", bo.sub, other.token));
    assert.equal(code, "invitation_email_mismatch", "an invitation to an address is for that address");
  });

  it("refuses an answer whose state was changed, and sets no session", async () => {
    const b = new Browser(global);
    const callback = await b.toCallback("idp", ana.sub);
    callback.searchParams.set("state", `${callback.searchParams.get("state")}x`);
    const back = await b.get(`${callback.pathname}${callback.search}`);
    const { code, message } = refusal(back);
    assert.equal(code, "oidc_state_mismatch");
    assert.match(message!, /does not belong to the sign-in started in this browser .*Start signing in again/);
    assert.ok(!sessionSet(back));
    assert.equal((await b.get("/v1/me")).status, 401);
  });

  it("refuses a callback replayed, with or without the state cookie the first one cleared", async () => {
    const b = new Browser(global);
    const callback = await b.toCallback("idp", ana.sub);
    const url = `${callback.pathname}${callback.search}`;
    const stateCookie = b.jar.get("benih_oidc")!;
    assert.equal((await b.get(url)).location, "/");

    // The browser honoured the clear: the callback no longer finds its sign-in.
    const reloaded = new Browser(global);
    const fromBrowser = await reloaded.get(url);
    assert.equal(refusal(fromBrowser).code, "oidc_state_missing");
    assert.match(refusal(fromBrowser).message!, /came back without its session cookie.*Start signing in again/);
    assert.ok(!sessionSet(fromBrowser));

    // Someone who kept the cookie: the provider refuses the spent code.
    const replayer = new Browser(global);
    replayer.jar.set("benih_oidc", stateCookie);
    const replayed = await replayer.get(url);
    const { code, message } = refusal(replayed);
    assert.equal(code, "oidc_code_rejected");
    assert.match(message!, /Test IdP refused the sign-in code \(invalid_grant.*a code works once.*Start signing in again/);
    assert.ok(!sessionSet(replayed));
    assert.equal((await replayer.get("/v1/me")).status, 401);
  });

  it("refuses an expired ID token, and says the clock may be off", async () => {
    const b = new Browser(global);
    const back = await b.signIn("late", ana.sub);
    const { code, message } = refusal(back);
    assert.equal(code, "oidc_id_token_invalid");
    assert.match(message!, /The ID token from Late IdP was refused: .*"exp".*If this machine's clock is off, correct it/);
    assert.ok(!sessionSet(back));
  });

  it("tells a person who declined at the provider that it did not sign them in", async () => {
    const b = new Browser(global);
    const { location } = await b.get("/v1/auth/oidc/idp/start");
    const callback = await signInAtIdp(location!, `${b.origin}/v1/auth/oidc/idp/callback`, { login: ana.sub, deny: true });
    const back = await b.get(`${callback.pathname}${callback.search}`);
    const { code, message } = refusal(back);
    assert.equal(code, "oidc_idp_error");
    assert.match(message!, /Test IdP did not sign you in: access_denied/);
    assert.ok(!sessionSet(back));
  });

  it("answers 404 unknown_provider for a provider not configured", async () => {
    const b = new Browser(global);
    for (const step of ["start", "callback?code=x&state=y"]) {
      const answer = await b.get(`/v1/auth/oidc/nope/${step}`);
      assert.equal(answer.status, 404);
      assert.equal(answer.json.error.code, "unknown_provider");
      assert.match(answer.json.error.message, /no single sign-on provider "nope" here; providers: idp, late/);
    }
  });
});
