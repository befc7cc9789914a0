import * as client from "openid-client";
import { OidcError } from "./errors.ts";

type Step = "discovery" | "token" | "userinfo";

const ID_TOKEN_CODES = new Set(["OAUTH_JWT_TIMESTAMP_CHECK_FAILED", "OAUTH_JWT_CLAIM_COMPARISON_FAILED", "OAUTH_KEY_SELECTION_FAILED"]);

/** An openid-client failure as an OidcError whose message says what the provider did and what to do next. */
export function describeFailure(err: unknown, providerName: string, step: Step, issuer?: string): OidcError {
  if (err instanceof OidcError) return err;
  const detail = detailOf(err);
  if (unreachable(err)) {
    return new OidcError(
      "oidc_discovery_failed",
      `${providerName} could not be reached${issuer ? ` at ${issuer}` : ""} (${detail}). Try again later; if it persists, check the provider's issuer in benih.yaml.`,
      { cause: err },
    );
  }
  if (step === "discovery") {
    return new OidcError(
      "oidc_discovery_failed",
      `${providerName}'s OpenID configuration at ${issuer} could not be used (${detail}). Check the provider's issuer in benih.yaml.`,
      { cause: err },
    );
  }
  if (err instanceof client.AuthorizationResponseError) {
    const description = err.error_description ? ` (${err.error_description})` : "";
    return new OidcError(
      "oidc_idp_error",
      `${providerName} did not sign you in: ${err.error}${description}. Try again, or sign in another way.`,
      {
        cause: err,
      },
    );
  }
  if (step === "token" && err instanceof client.ResponseBodyError) {
    const said = `${err.error}${err.error_description ? `: ${err.error_description}` : ""}`;
    const message =
      err.error === "invalid_grant"
        ? `${providerName} refused the sign-in code (${said}); a code works once and only for a few minutes. Start signing in again.`
        : `${providerName} refused to exchange the sign-in code (${said}). Check this provider's clientId and clientSecret in benih.yaml.`;
    return new OidcError("oidc_code_rejected", message, { cause: err });
  }
  if (step === "token" && err instanceof client.WWWAuthenticateChallengeError) {
    return new OidcError(
      "oidc_code_rejected",
      `${providerName} refused this server's client credentials. Check this provider's clientId and clientSecret in benih.yaml.`,
      { cause: err },
    );
  }
  const code = err instanceof client.ClientError ? err.code : undefined;
  if (code === "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED") {
    return new OidcError(
      "oidc_state_mismatch",
      `The answer does not belong to the sign-in started with ${providerName} (${detail}), so it is refused. Start signing in again.`,
      { cause: err },
    );
  }
  if (step === "token" && code !== undefined && (ID_TOKEN_CODES.has(code) || /JWT|id_token/.test(detail))) {
    return new OidcError(
      "oidc_id_token_invalid",
      `The ID token from ${providerName} was refused: ${detail}. ${code === "OAUTH_JWT_TIMESTAMP_CHECK_FAILED" ? "If this machine's clock is off, correct it; then start" : "Start"} signing in again.`,
      { cause: err },
    );
  }
  if (step === "userinfo") {
    return new OidcError(
      "oidc_idp_error",
      `${providerName} would not share the account's email and name from its userinfo endpoint (${detail}). Try again later.`,
      { cause: err },
    );
  }
  return new OidcError(
    "oidc_code_rejected",
    `${providerName}'s answer to the sign-in code could not be used (${detail}). Start signing in again.`,
    {
      cause: err,
    },
  );
}

/** openid-client wraps a lower-level error whose message names the check that failed; prefer it. */
function detailOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  // fetch's own message is only "fetch failed"; its cause says why (refused, DNS, TLS).
  if (cause instanceof Error && cause.message) return cause.message;
  return err.message;
}

/** No answer: refused connection, DNS, TLS, or the 10 s timeout. */
function unreachable(err: unknown): boolean {
  if (err instanceof client.ClientError) return err.code === "OAUTH_TIMEOUT" || err.code === "OAUTH_ABORT";
  // fetch rejects with a TypeError whose cause is the socket's error.
  return err instanceof TypeError && err.cause instanceof Error;
}
