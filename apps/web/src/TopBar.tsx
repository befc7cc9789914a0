import type { AgentView as Agent } from "@benih/contracts";
import type { Theme } from "./hooks/useTheme.ts";
import { localeNames, t, type Locale } from "./i18n.ts";

interface Props {
  locale: Locale;
  brand: { name: string; logo: string | undefined };
  agents: Agent[];
  agent: string;
  /** A conversation keeps the agent it started with. */
  agentLocked: boolean;
  onAgent(id: string): void;
  onNewAgent(): void;
  models: string[];
  model: string;
  onModel(m: string): void;
  locales: Locale[];
  /** The language is chosen per market, so only once the market is known. */
  localeReady: boolean;
  onLocale(l: Locale): void;
  theme: Theme;
  onTheme(): void;
  /** Absent until the settings have loaded. */
  onSettings: (() => void) | undefined;
  /** Absent when no conversation is shown. */
  onExport: (() => void) | undefined;
  onMenu(): void;
}

const agentName = (a: Agent, l: Locale) => (typeof a.name === "string" ? a.name : (a.name[l] ?? a.name.en ?? a.id));

/** The brand, the agent, model and language pickers, and the page's actions. */
export function TopBar(p: Props) {
  const { locale } = p;
  return (
    <header className="bar">
      <div className="brand" data-testid="brand">
        <button type="button" className="ghost menu" data-testid="menu" onClick={p.onMenu} aria-label={t(locale, "menu")}>
          ☰
        </button>
        {p.brand.logo ? <img src={p.brand.logo} alt="" /> : <span className="mark" aria-hidden="true" />}
        <span>{p.brand.name}</span>
      </div>
      <div className="pickers">
        {p.agents.length > 1 && (
          <label>
            <span className="sr">{t(locale, "agent")}</span>
            <select
              data-testid="agent"
              value={p.agent}
              disabled={p.agentLocked}
              onChange={(e) => (e.target.value === "+new" ? p.onNewAgent() : p.onAgent(e.target.value))}
            >
              {p.agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {agentName(a, locale)}
                </option>
              ))}
              <option value="+new">+ {t(locale, "newAgent")}</option>
            </select>
          </label>
        )}
        <label>
          <span className="sr">{t(locale, "model")}</span>
          <select data-testid="model" value={p.model} onChange={(e) => p.onModel(e.target.value)} disabled={!p.models.length}>
            {p.models.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        {p.locales.length > 1 && (
          <label>
            <span className="sr">{t(locale, "language")}</span>
            <select data-testid="locale" value={locale} disabled={!p.localeReady} onChange={(e) => p.onLocale(e.target.value as Locale)}>
              {p.locales.map((l) => (
                <option key={l} value={l}>
                  {localeNames[l]}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div className="actions">
        <button type="button" className="ghost" onClick={p.onTheme} title={t(locale, "theme")} data-testid="theme">
          {p.theme === "dark" ? t(locale, "light") : t(locale, "dark")}
        </button>
        <button type="button" className="ghost" data-testid="open-settings" onClick={p.onSettings} disabled={!p.onSettings}>
          {t(locale, "settings")}
        </button>
        {p.onExport && (
          <button type="button" className="ghost" data-testid="export" title={t(locale, "export")} onClick={p.onExport}>
            ⤓
          </button>
        )}
      </div>
    </header>
  );
}
