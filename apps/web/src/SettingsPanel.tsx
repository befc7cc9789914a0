import type { AgentView, MeView } from "@benih/contracts";
import { AccountSection } from "./account/AccountSection.tsx";
import { KeysSection } from "./account/KeysSection.tsx";
import { MemorySection } from "./account/MemorySection.tsx";
import { UsageSection } from "./account/UsageSection.tsx";
import { agentLabel } from "./agentLabel.ts";
import { Dialog } from "./Dialog.tsx";
import { localeNames, t, type Locale } from "./i18n.ts";
import type { Preferences, ThemeChoice } from "./preferences.ts";

const THEMES = [
  ["light", "prefThemeLight"],
  ["dark", "prefThemeDark"],
  ["system", "prefThemeSystem"],
] as const satisfies ReadonlyArray<readonly [ThemeChoice, string]>;

interface Props {
  locale: Locale;
  /** The languages this market offers. */
  locales: Locale[];
  prefs: Preferences;
  agents: AgentView[];
  models: string[];
  /** What a new chat starts with now (the person's choice, else the market's). */
  agent: string;
  model: string;
  onChange(patch: Partial<Preferences>): void;
  onClose(): void;
  /** The person signed in (GET /v1/me); absent on a server without accounts, which has no account sections. */
  me?: MeView | null;
  /** The market's name in the UI language. */
  marketName?: string | undefined;
  /** After signing out: the app starts again at the sign-in screen. */
  onSignedOut?(): void;
}

/**
 * The person's own settings: language, look, the agent and model new chats start with, and their memories; with
 * accounts, who is signed in, their API keys and their usage.
 */
export function SettingsPanel({
  locale,
  locales,
  prefs,
  agents,
  models,
  agent,
  model,
  onChange,
  onClose,
  me,
  marketName,
  onSignedOut,
}: Props) {
  return (
    <Dialog label={t(locale, "prefTitle")} onClose={onClose} testId="settings" className="panel settings">
      <header>
        <h2>{t(locale, "prefTitle")}</h2>
        <button type="button" className="ghost" onClick={onClose} data-testid="close-settings">
          {t(locale, "close")}
        </button>
      </header>
      <label className="field">
        <span>{t(locale, "prefLanguage")}</span>
        <select data-testid="settings-locale" value={locale} onChange={(e) => onChange({ locale: e.target.value as Locale })}>
          {locales.map((l) => (
            <option key={l} value={l} lang={l}>
              {localeNames[l]}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="field themes" data-testid="settings-theme">
        <legend>{t(locale, "prefTheme")}</legend>
        {THEMES.map(([value, label]) => (
          <label key={value}>
            <input type="radio" name="theme" value={value} checked={prefs.theme === value} onChange={() => onChange({ theme: value })} />
            {t(locale, label)}
          </label>
        ))}
      </fieldset>
      {agents.length > 1 && (
        <label className="field">
          <span>{t(locale, "prefAgent")}</span>
          <select data-testid="settings-agent" value={agent} onChange={(e) => onChange({ agent: e.target.value })}>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {agentLabel(a, locale)}
              </option>
            ))}
          </select>
        </label>
      )}
      {models.length > 0 && (
        <label className="field">
          <span>{t(locale, "prefModel")}</span>
          <select data-testid="settings-model" value={model} onChange={(e) => onChange({ model: e.target.value })}>
            {models.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
      )}
      <p className="meta">{t(locale, "prefKept")}</p>
      <MemorySection locale={locale} />
      {me && (
        <>
          <AccountSection locale={locale} me={me} marketName={marketName} onSignedOut={onSignedOut ?? (() => location.reload())} />
          <KeysSection locale={locale} />
          <UsageSection locale={locale} />
        </>
      )}
      {me?.role !== "member" && (
        <a className="admin-link" href="/admin/setup" data-testid="admin-link">
          {t(locale, "prefAdmin")}
        </a>
      )}
    </Dialog>
  );
}
