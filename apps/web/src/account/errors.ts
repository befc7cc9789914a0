import { MIN_PASSWORD_LENGTH } from "@benih/contracts";
import { AuthError } from "../api/account.ts";
import { ApiError, NetworkError } from "../api/http.ts";
import { fillText, type Locale } from "../i18n.ts";
import { type AccountTextKey, at } from "../text/account.ts";

/** The sign-in refusals the app says in the reader's language; any other code is shown in the server's words. */
const SAID: Record<string, AccountTextKey> = {
  invalid_email: "errInvalidEmail",
  password_too_short: "errPasswordTooShort",
  invalid_credentials: "errInvalidCredentials",
  signup_closed: "errSignupClosed",
  invitation_required: "errInvitationRequired",
  invitation_expired: "errInvitationExpired",
  invitation_used: "errInvitationUsed",
  invitation_unknown: "errInvitationUnknown",
  invitation_email_mismatch: "errInvitationEmailMismatch",
  wrong_market: "errWrongMarket",
  session_expired: "errSessionExpired",
  csrf_token: "errCsrf",
};

/**
 * The codes a single sign-on can come back to the app with (`/?signin_error=<code>`). Their own table: the redirect's
 * address can be made by anyone, so its `message` is never shown and a code outside this table gets the generic text.
 * `signup_closed` is said apart from the password sign-up's: here the person has simply no account yet.
 */
const SSO_SAID: Record<string, AccountTextKey> = {
  oidc_state_missing: "ssoStateMissing",
  oidc_state_mismatch: "ssoStateMismatch",
  oidc_code_rejected: "ssoCodeRejected",
  oidc_id_token_invalid: "ssoIdTokenInvalid",
  oidc_idp_error: "ssoIdpError",
  oidc_discovery_failed: "ssoDiscoveryFailed",
  unknown_provider: "ssoUnknownProvider",
  signup_closed: "ssoNoAccount",
  account_exists: "ssoAccountExists",
  account_disabled: "ssoAccountDisabled",
  invitation_required: "errInvitationRequired",
  invitation_unknown: "errInvitationUnknown",
  invitation_expired: "errInvitationExpired",
  invitation_used: "errInvitationUsed",
  invitation_email_mismatch: "errInvitationEmailMismatch",
};

/** A single sign-on that failed, as the server's redirect named it: only its code, never the address's text. */
export class SsoFailure {
  constructor(readonly code: string) {}
}

/** What a failed single sign-on's code says, in the reader's language; an unknown code, one generic text. */
export function ssoFailureText(locale: Locale, code: string): string {
  return at(locale, Object.hasOwn(SSO_SAID, code) ? (SSO_SAID[code] as AccountTextKey) : "ssoFailed");
}

/**
 * What went wrong with signing in (or with an account change), for the alert: a known code in the reader's
 * language, else the server's own message; the waiting time of `too_many_attempts` in whole minutes.
 */
export function authErrorText(locale: Locale, code: string | undefined, message: string, retryAfter?: number): string {
  if (code === "too_many_attempts")
    return retryAfter
      ? fillText(at(locale, "errTooManyAttempts"), { minutes: Math.max(1, Math.ceil(retryAfter / 60)) })
      : at(locale, "errTooManyAttemptsLater");
  const key = code && Object.hasOwn(SAID, code) ? SAID[code] : undefined;
  return key ? fillText(at(locale, key), { n: MIN_PASSWORD_LENGTH }) : message;
}

/** An error thrown by the account's calls (or a failed single sign-on), said as authErrorText says it. */
export function errorText(locale: Locale, e: unknown): string {
  if (e instanceof SsoFailure) return ssoFailureText(locale, e.code);
  if (e instanceof NetworkError) return at(locale, "errNetwork");
  if (e instanceof AuthError) return authErrorText(locale, e.code, e.message, e.retryAfter);
  if (e instanceof ApiError) return authErrorText(locale, e.code, e.message);
  return e instanceof Error ? e.message : String(e);
}
