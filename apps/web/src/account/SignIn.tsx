import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, type SignInMethods } from "@benih/contracts";
import { type FormEvent, useState } from "react";
import { AuthError, confirmReset, logIn, oidcStart, requestReset, signUp } from "../api/account.ts";
import { forgetApiKey } from "../api/http.ts";
import { fillText, type Locale } from "../i18n.ts";
import { type AccountTextKey, at } from "../text/account.ts";
import type { AuthQuery } from "./authQuery.ts";
import { errorText, SsoFailure } from "./errors.ts";
import "./account.css";

type Mode = "signIn" | "signUp" | "forgot" | "reset";

const TITLES: Record<Mode, AccountTextKey> = { signIn: "signInTitle", signUp: "signUpTitle", forgot: "forgotTitle", reset: "resetTitle" };
const SUBMITS: Record<Mode, AccountTextKey> = { signIn: "signIn", signUp: "signUp", forgot: "sendReset", reset: "setPassword" };

interface Props {
  locale: Locale;
  brand: { name: string; logo: string | undefined };
  methods: SignInMethods;
  /** What the page's address brought: an invitation, a reset token, a failed provider sign-in. */
  query: AuthQuery;
  /** Why sign-in is asked again (`session_expired`), said above the form. */
  reason?: string;
  /** Signed in (or up): the app starts again with the session. */
  onSignedIn(): void;
  /** To the API key prompt, for a person who has a key rather than a password. */
  onUseKey(): void;
}

/** The sign-in screen: email and password (sign in, create an account, reset it), and the providers this server has. */
export function SignIn({ locale, brand, methods, query, reason, onSignedIn, onUseKey }: Props) {
  const [mode, setMode] = useState<Mode>(query.reset ? "reset" : query.invitation ? "signUp" : "signIn");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  // Kept as the error itself: its text follows the UI language, which the market may change after this screen shows.
  const [error, setError] = useState<unknown>(() =>
    query.signinError ? new SsoFailure(query.signinError.code) : reason ? new AuthError("", 401, reason) : undefined,
  );
  const [notice, setNotice] = useState<AccountTextKey>();
  const canSignUp = methods.signup === "open" || !!query.invitation;
  const withPassword = methods.password || mode === "reset";
  const choosing = mode === "signUp" || mode === "reset";
  // The invitation goes with a single sign-on too: where a market signs in only by its provider, that is how an
  // invited person joins.
  const ssoHref = (id: string) =>
    query.invitation ? `${oidcStart(id)}?invitation=${encodeURIComponent(query.invitation)}` : oidcStart(id);

  const go = (next: Mode) => {
    setMode(next);
    setError(undefined);
    setNotice(undefined);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      if (mode === "forgot") {
        await requestReset(email.trim());
        setNotice("resetSent");
      } else if (mode === "reset") {
        await confirmReset(query.reset ?? "", password);
        setPassword("");
        setMode("signIn");
        setNotice("passwordChanged");
      } else {
        await (mode === "signUp" ? signUp(email.trim(), password, query.invitation) : logIn(email.trim(), password));
        // A key kept from before would be sent instead of the new session's cookie (the server takes a key first).
        forgetApiKey();
        onSignedIn();
        return;
      }
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  }

  return (
    <main className="signin">
      <div className="signin-brand">
        {brand.logo ? <img src={brand.logo} alt="" /> : <span className="mark" aria-hidden="true" />}
        <h1>{fillText(at(locale, TITLES[mode]), { brand: brand.name })}</h1>
      </div>
      {mode === "signUp" && query.invitation && <p className="meta">{at(locale, "invited")}</p>}
      {error !== undefined && (
        <p className="signin-error" role="alert" data-testid="signin-error">
          {errorText(locale, error)}
        </p>
      )}
      {notice && (
        <p className="signin-notice" role="status">
          {at(locale, notice)}
        </p>
      )}
      {withPassword && (
        <form className="signin-form" data-testid="signin-form" onSubmit={(e) => void submit(e)}>
          {mode !== "reset" && (
            <label>
              <span>{at(locale, "email")}</span>
              <input
                type="email"
                name="email"
                autoComplete="email"
                required
                maxLength={320}
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                data-testid="signin-email"
              />
            </label>
          )}
          {mode !== "forgot" && (
            <div className="signin-field">
              <label>
                <span>{at(locale, mode === "reset" ? "newPassword" : "password")}</span>
                <input
                  type="password"
                  name="password"
                  autoComplete={choosing ? "new-password" : "current-password"}
                  required
                  minLength={choosing ? MIN_PASSWORD_LENGTH : undefined}
                  maxLength={MAX_PASSWORD_LENGTH}
                  aria-describedby={choosing ? "signin-password-hint" : undefined}
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  data-testid="signin-password"
                />
              </label>
              {choosing && (
                <small id="signin-password-hint" className="meta">
                  {fillText(at(locale, "passwordHint"), { n: MIN_PASSWORD_LENGTH })}
                </small>
              )}
            </div>
          )}
          <button type="submit" disabled={busy} data-testid="signin-submit">
            {at(locale, SUBMITS[mode])}
          </button>
          {mode === "signIn" && (
            <button type="button" className="link" onClick={() => go("forgot")}>
              {at(locale, "forgot")}
            </button>
          )}
        </form>
      )}
      {(mode === "signIn" || mode === "signUp") && (
        <>
          {canSignUp && withPassword && (
            <button type="button" className="link" onClick={() => go(mode === "signIn" ? "signUp" : "signIn")} data-testid="signin-switch">
              {at(locale, mode === "signIn" ? "toSignUp" : "toSignIn")}
            </button>
          )}
          {mode === "signIn" && methods.signup === "invite" && !query.invitation && <p className="meta">{at(locale, "inviteOnly")}</p>}
          {methods.oidc.length > 0 && (
            <div className="signin-providers">
              {withPassword && <p className="signin-or">{at(locale, "or")}</p>}
              {methods.oidc.map((p) => (
                <a key={p.id} className="signin-provider" href={ssoHref(p.id)} data-testid={`signin-oidc-${p.id}`}>
                  {fillText(at(locale, "continueWith"), { name: p.name })}
                </a>
              ))}
            </div>
          )}
          {!withPassword && methods.oidc.length === 0 && <p>{at(locale, "noWayIn")}</p>}
        </>
      )}
      {(mode === "forgot" || mode === "reset") && (
        <button type="button" className="link" onClick={() => go("signIn")}>
          {at(locale, "backToSignIn")}
        </button>
      )}
      <button type="button" className="link small" onClick={onUseKey} data-testid="signin-use-key">
        {at(locale, "useKey")}
      </button>
    </main>
  );
}
