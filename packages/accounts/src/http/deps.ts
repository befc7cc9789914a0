import type { QuotaLimits } from "@benih/contracts";
import { type Access, access, type Authenticator } from "@benih/gateway";
import type { FastifyRequest } from "fastify";
import type { AccountDirectory } from "../directory.ts";
import type { Mailer } from "../mail/index.ts";
import type { OidcSignIn } from "../oidc/index.ts";
import type { SignInThrottle } from "../throttle.ts";

/** How one market lets people in (benih.yaml's `auth`, the market's over the server's). */
export interface SignInSettings {
  signup: "open" | "invite" | "closed";
  password: boolean;
  /** The market's OpenID providers, id and button label. */
  oidc: Array<{ id: string; name: string }>;
  openid?: OidcSignIn;
}

export interface AccountsDeps {
  directory: AccountDirectory;
  auth: Pick<Authenticator, "forgetPerson" | "forgetCredential">;
  /** Sign-in is needed (beyond loopback, or people are configured); otherwise the machine's owner uses the app. */
  required: boolean;
  /** Cookies carry Secure (the server is beyond loopback, so browsers reach it over HTTPS). */
  secureCookies: boolean;
  /** The market a request belongs to, by its host (or header); null without markets; a GatewayError when none. */
  marketOf(request: FastifyRequest): string | null;
  settingsOf(market: string | null): SignInSettings;
  /** A person's limits as the gateway holds them (the market's under their own). */
  quotaOf(market: string | null, own: QuotaLimits | null): QuotaLimits | undefined;
  /** With SMTP configured: invitations and password resets are mailed. */
  mailer?: Mailer;
  /** The product's name in a market, and the language its mail is written in. */
  brandOf(market: string | null): string;
  localeOf(market: string | null): string;
  throttle: SignInThrottle;
  /**
   * This server's origin as people reach it, for links in mail and OpenID's redirect: never taken from a Host that
   * the config does not name (a forged Host would send reset links to another site); a GatewayError then.
   */
  originOf(request: FastifyRequest): string;
}

/** The address a client connects from, as Fastify reads it (behind a proxy, `trustProxy` decides). */
export const clientAddress = (request: FastifyRequest) => request.ip;

/** An accounts route: who may call it, and a small body (credentials, a name, a patch), refused before it is read. */
export const accountRoute = (who: Access) => ({ ...access(who), bodyLimit: 16 * 1024 });
