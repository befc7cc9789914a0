import { z } from "zod";
import { oidcProviderConfig } from "./oidc/index.ts";

/**
 * How people sign in (benih.yaml's `auth`, and a market's own `auth` over it): who may sign up (`open`: anyone,
 * `invite`: with an admin's link, `closed`: admins add people), email and password, and OpenID providers.
 */
export const signInConfig = z.strictObject({
  signup: z.enum(["open", "invite", "closed"]).optional(),
  password: z.boolean().optional(),
  oidc: z.array(oidcProviderConfig).optional(),
});
export type SignInConfig = z.infer<typeof signInConfig>;

/** How long a browser stays signed in. */
export const sessionConfig = z.strictObject({
  /** Unused this long, a session ends. */
  idleHours: z
    .number()
    .positive()
    .default(7 * 24),
  /** Used or not, a session ends this long after sign-in. */
  absoluteDays: z.number().positive().default(30),
});
