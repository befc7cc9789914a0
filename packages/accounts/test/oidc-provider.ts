// A real OpenID provider (oidc-provider) on loopback, and a browser stand-in that signs in through its dev interaction forms.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestAccount {
  sub: string;
  email: string;
  name: string;
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  /** ID token lifetime in seconds; oidc-provider only takes positive whole seconds. */
  idTokenTtlSec?: number;
  /** Where the provider may send the browser back; by default the provider's own `/cb` (`TestIdp.redirectUri`). */
  redirectUris?: string[];
}

export interface TestIdp {
  issuer: string;
  redirectUri: string;
  close(): Promise<void>;
}

interface ProviderConstructor {
  new (issuer: string, configuration: Record<string, unknown>): { callback(): (req: unknown, res: unknown) => void };
}

/** oidc-provider on 127.0.0.1 (random port) with the given accounts and clients and its dev login and consent pages. */
export async function startTestIdp(accounts: TestAccount | TestAccount[], clients: TestClient[], listenPort = 0): Promise<TestIdp> {
  // oidc-provider ships no type declarations; only its constructor is used here.
  const { Provider } = (await import("oidc-provider" as string)) as { Provider: ProviderConstructor };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const redirectUri = `http://127.0.0.1:${port}/cb`;
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const ttlByClient = new Map(clients.map((c) => [c.clientId, c.idTokenTtlSec ?? 3600]));
  const accountBySub = new Map([accounts].flat().map((a) => [a.sub, a]));

  const provider = withoutDevWarnings(
    () =>
      new Provider(issuer, {
        clients: clients.map((c) => ({
          client_id: c.clientId,
          client_secret: c.clientSecret,
          redirect_uris: c.redirectUris ?? [redirectUri],
        })),
        jwks: { keys: [{ ...signingKey, kid: "test-rs256", use: "sig", alg: "RS256" }] },
        cookies: { keys: [randomBytes(32).toString("base64url")] },
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
        findAccount: (_ctx: unknown, sub: string) => {
          const account = accountBySub.get(sub);
          return account && { accountId: sub, claims: () => ({ sub, email: account.email, email_verified: true, name: account.name }) };
        },
        ttl: {
          AccessToken: 60,
          AuthorizationCode: 60,
          Grant: 600,
          Interaction: 600,
          Session: 600,
          IdToken: (_ctx: unknown, _token: unknown, client: { clientId: string }) => ttlByClient.get(client.clientId) ?? 3600,
        },
        features: { devInteractions: { enabled: true } },
      }),
  );
  server.on("request", provider.callback());
  return {
    issuer,
    redirectUri,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** oidc-provider warns on console that dev interactions are for development; that is the point here. */
function withoutDevWarnings<T>(make: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes("oidc-provider WARNING")) warn(...args);
  };
  try {
    return make();
  } finally {
    console.warn = warn;
  }
}

/**
 * Follows the provider's redirects like a browser with a cookie jar, filling its login form with `login` and
 * accepting consent (or, with `deny`, pressing its abort link), until it sends the browser to `redirectUri`.
 * Returns that callback URL.
 */
export async function signInAtIdp(authorizationUrl: string, redirectUri: string, o: { login: string; deny?: boolean }): Promise<URL> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let form: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form?.toString(),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    form = undefined;
    const location = res.headers.get("location");
    if (location) {
      await res.body?.cancel();
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) return next;
      url = next.href;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`The provider answered ${res.status} at ${url}: ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action) throw new Error(`No sign-in form at ${url}: ${html.slice(0, 300)}`);
    if (o.deny) {
      url = new URL(`${new URL(action, url).pathname}/abort`, url).href;
      continue;
    }
    url = new URL(action.replaceAll("&amp;", "&"), url).href;
    form = new URLSearchParams(prompt === "login" ? { prompt, login: o.login, password: "any" } : { prompt });
  }
  throw new Error("The provider never sent the browser back to the redirect URI.");
}
