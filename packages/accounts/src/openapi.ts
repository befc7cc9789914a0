import {
  adminAuditView,
  createdKeyView,
  createKeyBody,
  credentialsBody,
  invitationBody,
  invitationView,
  logoutBody,
  meView,
  personKeyView,
  personPatch,
  personView,
  resetBody,
  resetConfirmBody,
  signInMethods,
  usageRow,
} from "@benih/contracts";
import { z } from "zod";

const json = (schema: object) => ({ "application/json": { schema } });
const out = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "output", unrepresentable: "any" });
const body = (schema: z.ZodType) => ({ required: true, content: json(z.toJSONSchema(schema, { io: "input" })) });
const ok = (description: string, schema?: z.ZodType) => ({ description, ...(schema && { content: json(out(schema)) }) });
const list = (schema: z.ZodType) => z.object({ data: z.array(schema) });
const err = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { description: "An error in OpenAI's shape" }]));
const path = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
const query = (name: string, description: string) => ({ name, in: "query", required: false, schema: { type: "string" }, description });
const usage = {
  parameters: [query("days", "UTC days back, today included (1–366, default 30)"), query("format", "json (default) or csv")],
  responses: {
    "200": {
      description: "{ data: UsageRow[], truncated?: true when cut at 5,000 rows }, or CSV",
      content: { ...json(out(list(usageRow))), "text/csv": { schema: { type: "string" } } },
    },
  },
};
const tags = ["accounts"];
const open = { tags, security: [] };

/** The accounts routes' part of the OpenAPI document. */
export function accountsOpenApi() {
  return {
    paths: {
      "/v1/auth/methods": {
        get: { ...open, summary: "How this market lets people in", responses: { "200": ok("Sign-in methods", signInMethods) } },
      },
      "/v1/auth/signup": {
        post: {
          ...open,
          summary: "Make an account (open sign-up, or with an invitation's token) and sign in: sets the session cookie",
          requestBody: body(credentialsBody),
          responses: { "201": ok("The person, with the CSRF token", meView), ...err(400, 401, 403, 409, 410, 429) },
        },
      },
      "/v1/auth/login": {
        post: {
          ...open,
          summary: "Sign in by email and password: sets the session cookie. Wrong and unknown credentials answer alike",
          requestBody: body(credentialsBody),
          responses: { "200": ok("The person, with the CSRF token", meView), ...err(400, 401, 403, 429) },
        },
      },
      "/v1/auth/logout": {
        post: {
          ...open,
          summary: "Sign out (`everywhere`: every session of the person)",
          requestBody: body(logoutBody),
          responses: { "204": ok("Signed out; the cookie is cleared") },
        },
      },
      "/v1/auth/reset": {
        post: {
          ...open,
          summary: "Mail a password reset link, if the email has an account (answered alike either way)",
          requestBody: body(resetBody),
          responses: { "202": ok("Accepted"), ...err(400, 429) },
        },
      },
      "/v1/auth/reset/confirm": {
        post: {
          ...open,
          summary: "Set a new password with a reset link's token; ends every session",
          requestBody: body(resetConfirmBody),
          responses: { "204": ok("Done"), ...err(400, 409, 410) },
        },
      },
      "/v1/auth/oidc/{provider}/start": {
        get: {
          ...open,
          parameters: [path("provider")],
          summary: "Start single sign-on: redirects to the provider",
          responses: { "303": ok("To the provider") },
        },
      },
      "/v1/auth/oidc/{provider}/callback": {
        get: {
          ...open,
          parameters: [path("provider")],
          summary: "Where the provider sends the browser back: signs in and redirects to the app (or to /?signin_error=…)",
          responses: { "303": ok("To the app") },
        },
      },
      "/v1/me": {
        get: {
          tags,
          summary: "The person signed in (or the machine's owner): role, market, quota and use of it",
          responses: { "200": ok("Me", meView) },
        },
      },
      "/v1/me/keys": {
        get: { tags, summary: "The person's live API keys (hints, never secrets)", responses: { "200": ok("Keys", list(personKeyView)) } },
        post: {
          tags,
          summary: "Make an API key that acts as the person (`sk-benih-<market>-…`); its secret is in this answer only",
          requestBody: body(createKeyBody),
          responses: { "201": ok("The key", createdKeyView), ...err(409) },
        },
      },
      "/v1/me/keys/{id}": {
        delete: {
          tags,
          parameters: [path("id")],
          summary: "Revoke one of the person's keys",
          responses: { "204": ok("Revoked"), ...err(404) },
        },
      },
      "/v1/me/usage": { get: { tags, summary: "The person's usage per UTC day and model", ...usage } },
      "/v1/admin/people": {
        get: {
          tags,
          parameters: [query("q", "part of an email or name"), query("limit", "≤ 200"), query("offset", "rows to skip")],
          summary: "The market's people (market admins and operators)",
          responses: { "200": ok("People", list(personView)) },
        },
      },
      "/v1/admin/people/{id}": {
        patch: {
          tags,
          parameters: [path("id")],
          summary: "Change a person's role or quota, or disable them (their sessions and keys end on every instance)",
          requestBody: body(personPatch),
          responses: { "200": ok("The person", personView), ...err(400, 404) },
        },
      },
      "/v1/admin/invitations": {
        post: {
          tags,
          summary: "Make an invitation link (mailed when SMTP is set and an email given)",
          requestBody: body(invitationBody),
          responses: { "201": ok("The invitation", invitationView) },
        },
      },
      "/v1/admin/usage": { get: { tags, summary: "The market's usage per UTC day, model and person", ...usage } },
      "/v1/admin/audit": {
        get: {
          tags,
          parameters: [query("limit", "≤ 500"), query("before", "epoch ms")],
          summary: "What the market's admins did, newest first",
          responses: { "200": ok("Audit log", list(adminAuditView)) },
        },
      },
    },
  };
}
