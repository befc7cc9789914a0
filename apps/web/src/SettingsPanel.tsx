import type { Settings } from "./api.ts";
import { t, type Locale } from "./i18n.ts";

/** What this server has set up, and, for what it has not, what to set: providers and skills. */
export function SettingsPanel({ settings, locale, onClose }: { settings: Settings; locale: Locale; onClose(): void }) {
  return (
    <div className="panel" role="dialog" aria-label={t(locale, "settings")} data-testid="settings">
      <header>
        <h2>{t(locale, "settings")}</h2>
        <button type="button" className="ghost" onClick={onClose}>
          {t(locale, "close")}
        </button>
      </header>
      <h3>{t(locale, "skills")}</h3>
      <ul className="settings-list">
        {Object.entries(settings.skills).map(([name, s]) => (
          <li key={name} data-configured={s.configured}>
            <strong>{name}</strong> <span className={s.configured ? "ok" : "missing"}>{s.configured ? `✓ ${t(locale, "configured")}${s.provider ? ` (${s.provider})` : ""}` : t(locale, "notConfigured")}</span>
            {s.note && <div className="meta">{s.note}</div>}
            {s.set && <div className="meta">{s.set}</div>}
          </li>
        ))}
      </ul>
      <h3>{t(locale, "providers")}</h3>
      <ul className="settings-list" data-testid="providers">
        {settings.providers.map((p) => (
          <li key={p.name} data-configured={p.configured}>
            <strong>{p.name}</strong> <span className={p.configured ? "ok" : "missing"}>{p.configured ? `✓ ${t(locale, "configured")}` : t(locale, "notConfigured")}</span>
            <div className="meta">{p.configured ? [p.from, p.region].filter(Boolean).join(" · ") : `${t(locale, "toEnable")}: ${p.set}`}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}
