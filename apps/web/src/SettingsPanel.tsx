import type { Settings } from "./api/types.ts";
import { t, type Locale, type TextKey } from "./i18n.ts";
import { st, type SettingsTextKey } from "./settingsText.ts";
import { skillHint } from "./skillHints.ts";

const SKILL_NAMES: Record<string, TextKey> = {
  search: "skillSearch",
  web: "skillWeb",
  translate: "skillTranslate",
  write: "skillWrite",
  image: "skillImage",
  video: "skillVideo",
};
const REGIONS: Record<string, SettingsTextKey> = { local: "regionLocal", global: "regionGlobal", cn: "regionCn" };

type Provider = Extract<Settings["providers"][number], { configured: false }>;

/** What this server has set up, and, for what it has not, what to set: skills and providers, in the user's language. */
export function SettingsPanel({ settings, locale, onClose }: { settings: Settings; locale: Locale; onClose(): void }) {
  const skillName = (skill: string) =>
    skill === "chat" ? st(locale, "skillChat") : SKILL_NAMES[skill] ? t(locale, SKILL_NAMES[skill]) : skill;
  const state = (configured: boolean, provider?: string) =>
    configured ? `✓ ${st(locale, "configured")}${provider ? ` (${provider})` : ""}` : st(locale, "notConfigured");
  const region = (r: string | null | undefined) => (r ? (REGIONS[r] ? st(locale, REGIONS[r]) : r) : "");
  const howToEnable = (p: Provider) => {
    const env = p.env;
    return `${t(locale, "toEnable")}: ${env ? st(locale, "setupEnv").replace("{env}", env) : st(locale, "setupProvider")}`;
  };
  return (
    <div className="panel" role="dialog" aria-label={t(locale, "settings")} data-testid="settings">
      <header>
        <h2>{t(locale, "settings")}</h2>
        <button type="button" className="ghost" onClick={onClose}>
          {t(locale, "close")}
        </button>
      </header>
      <h3>{t(locale, "skills")}</h3>
      <ul className="settings-list" data-testid="skills">
        {Object.entries(settings.skills).map(([skill, s]) => {
          const hint = skillHint(locale, skill, s);
          return (
            <li key={skill} data-configured={s.configured}>
              <strong>{skillName(skill)}</strong> <span className={s.configured ? "ok" : "missing"}>{state(s.configured, s.provider)}</span>
              {hint && <div className="meta">{hint}</div>}
            </li>
          );
        })}
      </ul>
      <h3>{st(locale, "providers")}</h3>
      <ul className="settings-list" data-testid="providers">
        {settings.providers.map((p) => (
          <li key={p.name} data-configured={p.configured}>
            <strong>{p.name}</strong> <span className={p.configured ? "ok" : "missing"}>{state(p.configured)}</span>
            <div className="meta">{p.configured ? region(p.region) : howToEnable(p)}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}
