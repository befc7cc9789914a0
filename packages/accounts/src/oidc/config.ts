import { z } from "zod";

const httpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);

/** One OpenID Connect provider under `oidc` in benih.yaml. */
export const oidcProviderConfig = z
  .strictObject({
    /** In the sign-in and callback paths: /v1/auth/oidc/{id}/start. */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "id must be lowercase letters, digits, '-' or '_', starting with a letter or digit"),
    /** The sign-in button's label. */
    name: z.string().trim().min(1),
    /** The Issuer Identifier; its /.well-known/openid-configuration is read on first use. */
    issuer: z.string().refine(httpUrl, "issuer must be an http(s) URL"),
    clientId: z.string().min(1),
    /** Absent for a public client (PKCE only). */
    clientSecret: z.string().min(1).optional(),
    scopes: z.array(z.string().min(1)).default(["openid", "email", "profile"]),
    /** Allows an http issuer: loopback tests and development only. */
    allowInsecure: z.boolean().optional(),
  })
  .refine(
    (p) => p.allowInsecure === true || new URL(p.issuer).protocol === "https:",
    "issuer must use https (allowInsecure: true allows http, for a loopback or development provider only)",
  )
  .refine((p) => p.scopes.includes("openid"), "scopes must include openid");
export type OidcProviderConfig = z.infer<typeof oidcProviderConfig>;
