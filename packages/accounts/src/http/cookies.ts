import { SESSION_COOKIE } from "@benih/gateway";

/** The sign-in cookie: HttpOnly, SameSite=Lax, Secure beyond loopback; `maxAgeSec` 0 deletes it. */
export function sessionCookie(value: string, maxAgeSec: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSec}${secure ? "; Secure" : ""}`;
}

/** Holds an OpenID sign-in's sealed state between its start and its callback (10 min, that path only). */
export const OIDC_COOKIE = "benih_oidc";

export function oidcCookie(value: string, maxAgeSec: number, secure: boolean): string {
  return `${OIDC_COOKIE}=${value}; Path=/v1/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSec}${secure ? "; Secure" : ""}`;
}
