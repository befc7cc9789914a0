// @benih/accounts: people of each market, their sign-in (password, OpenID, invitations), sessions, keys and usage.
import type { FastifyInstance } from "fastify";
import { registerAdminRoutes } from "./http/admin-routes.ts";
import { registerAuthRoutes } from "./http/auth-routes.ts";
import type { AccountsDeps } from "./http/deps.ts";
import { registerMeRoutes } from "./http/me-routes.ts";
import { registerOidcRoutes } from "./http/oidc-routes.ts";
import { warmDecoy } from "./password.ts";

export { signInConfig, sessionConfig, type SignInConfig } from "./config.ts";
export { adoptLegacyKeys } from "./adopt-keys.ts";
export { AccountDirectory, personOf } from "./directory.ts";
export type { AccountsDeps, SignInSettings } from "./http/deps.ts";
export { checkNewPassword, hashPassword, normalEmail } from "./password.ts";
export { SignInThrottle } from "./throttle.ts";
export { MemoryFailureLog, type FailureLog } from "./failure-log.ts";
export { RedisFailureLog } from "./redis-failure-log.ts";
export { openSetupLinks } from "./setup-link.ts";
export * from "./mail/index.ts";
export * from "./oidc/index.ts";

/** Every accounts route: sign-in, the person's own (`/v1/me…`) and a market's admins' (`/v1/admin/…`). */
export function registerAccounts(app: FastifyInstance, deps: AccountsDeps): void {
  void warmDecoy();
  registerAuthRoutes(app, deps);
  registerOidcRoutes(app, deps);
  registerMeRoutes(app, deps);
  registerAdminRoutes(app, deps);
}
export { accountsOpenApi } from "./openapi.ts";
