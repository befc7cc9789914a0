// People and their sign-in, between the server and the web app (and any client): /v1/auth/*, /v1/me*, /v1/admin/*.
// Browser-safe: zod only.
import { z } from "zod";
import { quotaLimits } from "./gateway.ts";

/** The shortest password sign-up, reset and `benih users create` take (NIST SP 800-63B's floor for a chosen one). */
export const MIN_PASSWORD_LENGTH = 8;
/** Longer passwords are refused before hashing: argon2 time grows with the input. */
export const MAX_PASSWORD_LENGTH = 256;

/** The person id of the machine's own account (a loopback server without sign-in), in every store. */
export const OWNER_PERSON_ID = "owner";

export const personRole = z.enum(["member", "admin"]);
export type PersonRole = z.infer<typeof personRole>;

/** POST /v1/auth/signup and /v1/auth/login. `invitation` signs up with an invitation's token. */
export const credentialsBody = z.strictObject({
  email: z.string().max(320),
  password: z.string().max(MAX_PASSWORD_LENGTH),
  invitation: z.string().max(200).optional(),
});
export type CredentialsBody = z.infer<typeof credentialsBody>;

/** POST /v1/auth/logout: `everywhere` ends every session of the person, this one included. */
export const logoutBody = z.strictObject({ everywhere: z.boolean().optional() });
/** POST /v1/auth/reset: a link is mailed if the email has an account (the answer is the same either way). */
export const resetBody = z.strictObject({ email: z.string().max(320) });
/** POST /v1/auth/reset/confirm: the reset link's token and the new password. */
export const resetConfirmBody = z.strictObject({ token: z.string().max(200), password: z.string().max(MAX_PASSWORD_LENGTH) });

/** How a market lets people in (GET /v1/auth/methods, asked before sign-in). */
export const signInMethods = z.object({
  /** Sign-in is needed to use the app here. False: the machine's owner uses it straight away (loopback, no accounts). */
  required: z.boolean(),
  signup: z.enum(["open", "invite", "closed"]),
  password: z.boolean(),
  /** OpenID Connect providers, each started at `/v1/auth/oidc/{id}/start`. */
  oidc: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type SignInMethods = z.infer<typeof signInMethods>;

/** What a person's quota allows and what the request log shows used of it (this UTC day, this UTC month). */
export const quotaView = z.object({
  limits: quotaLimits,
  used: z.object({ requestsToday: z.number(), tokensToday: z.number(), costThisMonthUsd: z.number() }),
});
export type QuotaView = z.infer<typeof quotaView>;

/** GET /v1/me: the person signed in, with the token their cookie-authenticated changes must send as `x-csrf-token`. */
export const meView = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string(),
  market: z.string().nullable(),
  role: personRole,
  /** The machine's own account on a loopback server without sign-in. */
  owner: z.boolean(),
  createdAt: z.number(),
  csrfToken: z.string().optional(),
  quota: quotaView.optional(),
});
export type MeView = z.infer<typeof meView>;

/** A person's API key as lists show it: the hint (`sk-benih-cn-…x9Qz`), never the secret. */
export const personKeyView = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
});
export type PersonKeyView = z.infer<typeof personKeyView>;

/** POST /v1/me/keys: the secret is in this answer only. */
export const createdKeyView = personKeyView.extend({ key: z.string() });
export type CreatedKeyView = z.infer<typeof createdKeyView>;

export const createKeyBody = z.strictObject({ name: z.string().trim().min(1).max(100) });

/** A person on the admin's people page. */
export const personView = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string(),
  role: personRole,
  createdAt: z.number(),
  disabledAt: z.number().nullable(),
  /** Their own limits over the market's (each field). */
  quota: quotaLimits.nullable(),
});
export type PersonView = z.infer<typeof personView>;

/** PATCH /v1/admin/people/:id: any of role, disabled, quota (null: back to the market's). */
export const personPatch = z
  .strictObject({ role: personRole.optional(), disabled: z.boolean().optional(), quota: quotaLimits.nullable().optional() })
  .refine((p) => Object.keys(p).length > 0, "send role, disabled or quota");
export type PersonPatch = z.infer<typeof personPatch>;

/** POST /v1/admin/invitations: `url` is the link to send (mailed as well when SMTP is set and `email` given). */
export const invitationBody = z.strictObject({ email: z.string().max(320).optional(), role: personRole.default("member") });
export const invitationView = z.object({
  id: z.string(),
  email: z.string().nullable(),
  role: personRole,
  expiresAt: z.number(),
  url: z.string(),
  mailed: z.boolean(),
});
export type InvitationView = z.infer<typeof invitationView>;

/** A row of the admin actions' audit log. */
export const adminAuditView = z.object({
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AdminAuditView = z.infer<typeof adminAuditView>;

/** One row of usage: per day (UTC, YYYY-MM-DD), model and, for admins, person. */
export const usageRow = z.object({
  day: z.string(),
  model: z.string(),
  person: z.string().nullable().optional(),
  requests: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  costUsd: z.number(),
});
export type UsageRow = z.infer<typeof usageRow>;
