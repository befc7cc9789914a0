export { type OidcProviderConfig, oidcProviderConfig } from "./config.ts";
export { OidcError, type OidcErrorCode } from "./errors.ts";
export { OidcSignIn, type OidcSignInOptions, type OidcStart, type OidcUser } from "./sign-in.ts";
