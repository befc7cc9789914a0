export type OidcErrorCode =
  | "unknown_provider"
  /** No state cookie, or one that is garbled, sealed with another secret, or past its 10 minutes. */
  | "oidc_state_missing"
  /** The callback does not belong to the sign-in the cookie started (state, provider or issuer differ). */
  | "oidc_state_mismatch"
  /** The provider would not exchange the code for tokens (used before, expired, or the client was refused). */
  | "oidc_code_rejected"
  | "oidc_id_token_invalid"
  /** The provider sent the browser back with `?error=`. */
  | "oidc_idp_error"
  /** The provider could not be reached or its metadata is unusable, at discovery or any later request. */
  | "oidc_discovery_failed";

export class OidcError extends Error {
  constructor(
    readonly code: OidcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "OidcError";
  }
}
