import { useState } from "react";
import { setApiKey } from "./api/http.ts";
import { t, type Locale } from "./i18n.ts";
import { at } from "./text/account.ts";

/**
 * Asks for the API key this server wants, keeps it in this browser and starts again with it. `onSignIn`: the server
 * takes sign-in as well, and the person can go there instead.
 */
export function KeyPrompt({ locale, wrong, onSignIn }: { locale: Locale; wrong: boolean; onSignIn?: (() => void) | undefined }) {
  const [key, setKey] = useState("");
  return (
    <form
      className="key-prompt"
      data-testid="key-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        setApiKey(key.trim());
        location.reload();
      }}
    >
      <span className="mark" aria-hidden="true" />
      <p>{wrong ? t(locale, "keyWrong") : t(locale, "keyNeeded")}</p>
      <input
        type="password"
        autoComplete="off"
        value={key}
        onChange={(e) => setKey(e.target.value)}
        placeholder={t(locale, "apiKey")}
        data-testid="api-key"
      />
      <button type="submit" disabled={!key.trim()}>
        {t(locale, "useKey")}
      </button>
      {onSignIn && (
        <button type="button" className="ghost" onClick={onSignIn} data-testid="key-sign-in">
          {at(locale, "signInInstead")}
        </button>
      )}
    </form>
  );
}
