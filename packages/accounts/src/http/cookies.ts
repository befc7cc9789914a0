import { sessionCookieName } from "@benih/gateway";

/** The sign-in cookie: HttpOnly, SameSite=Lax, Secure beyond loopback; `maxAgeSec` 0 deletes it. */
export function sessionCookie(value: string, maxAgeSec: number, secure: boolean): string {
  return `${sessionCookieName(secure)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSec}${secure ? "; Secure" : ""}`;
}

/** Holds an OpenID sign-in's sealed state between its start and its callback (10 min, that path only). */
export const OIDC_COOKIE = "benih_oidc";
/** The invitation a single sign-on was started with, for the callback to use. */
export const OIDC_INVITE_COOKIE = "benih_oidc_invitation";

export function oidcCookie(value: string, maxAgeSec: number, secure: boolean, name = OIDC_COOKIE): string {
  return `${name}=${value}; Path=/v1/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSec}${secure ? "; Secure" : ""}`;
}
