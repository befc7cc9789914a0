import { useState } from "react";
import { setApiKey } from "./api/http.ts";
import { t, type Locale } from "./i18n.ts";

/** Asks for the API key this server wants, keeps it in this browser and starts again with it. */
export function KeyPrompt({ locale, wrong }: { locale: Locale; wrong: boolean }) {
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
    </form>
  );
}
