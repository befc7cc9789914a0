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
  wrong_market: "errWrongMarket",
  session_expired: "errSessionExpired",
  csrf_token: "errCsrf",
};

/**
 * What went wrong with signing in (or with an account change), for the alert: a known code in the reader's
 * language, else the server's own message; the waiting time of `too_many_attempts` in whole minutes.
 */
export function authErrorText(locale: Locale, code: string | undefined, message: string, retryAfter?: number): string {
  if (code === "too_many_attempts")
    return retryAfter
      ? fillText(at(locale, "errTooManyAttempts"), { minutes: Math.max(1, Math.ceil(retryAfter / 60)) })
      : at(locale, "errTooManyAttemptsLater");
  const key = code ? SAID[code] : undefined;
  return key ? fillText(at(locale, key), { n: MIN_PASSWORD_LENGTH }) : message;
}

/** An error thrown by the account's calls, said as authErrorText says it. */
export function errorText(locale: Locale, e: unknown): string {
  if (e instanceof NetworkError) return at(locale, "errNetwork");
  if (e instanceof AuthError) return authErrorText(locale, e.code, e.message, e.retryAfter);
  if (e instanceof ApiError) return authErrorText(locale, e.code, e.message);
  return e instanceof Error ? e.message : String(e);
}
