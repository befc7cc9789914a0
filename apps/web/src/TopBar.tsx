import type { AgentView as Agent } from "@benih/contracts";
import type { ReactNode } from "react";
import { agentLabel } from "./agentLabel.ts";
import { localeNames, t, type Locale, fillText } from "./i18n.ts";
import { GearIcon, PlusIcon } from "./icons.tsx";

interface Props {
  locale: Locale;
  brand: { name: string; logo: string | undefined };
  agents: Agent[];
  agent: string;
  /** A conversation keeps the agent it started with: picking another starts a new chat with it. */
  agentLocked: boolean;
  onAgent(id: string): void;
  onNewAgent(): void;
  /** Opens the editor for one of the user's own agents (built-in ones cannot be changed). */
  onEditAgent?(id: string): void;
  models: string[];
  model: string;
  /** How the picker shows a model when closed (its short name); the id by default. */
  modelName?(id: string): string;
  onModel(m: string): void;
  locales: Locale[];
  /** The language is chosen per market, so only once the market is known. */
  localeReady: boolean;
  onLocale(l: Locale): void;
  /** Starts a new chat (the sidebar's action, here for phones, where the sidebar is a drawer). */
  onNewChat?(): void;
  newChatDisabled?: boolean;
  /** Absent until the app can show the settings. */
  onSettings: (() => void) | undefined;
  /** Absent when no conversation is shown. */
  onExport: (() => void) | undefined;
  onMenu(): void;
}

/** The language as the closed picker shows it: short enough for a phone's top bar. */
const localeShort: Record<Locale, string> = { zh: "中文", en: "EN", id: "ID" };

/**
 * A native select that shows a short form of its value when closed (a phone has no room for "Bahasa Indonesia"),
 * and the full options when opened; it keeps the select's keyboard and screen-reader behaviour.
 */
function Picker(p: {
  label: string;
  shown: string;
  testId: string;
  value: string;
  disabled?: boolean;
  title?: string;
  onChange(value: string): void;
  children: ReactNode;
}) {
  return (
    <label className={`picker ${p.disabled ? "disabled" : ""}`} title={p.title ?? p.label}>
      <span className="shown" aria-hidden="true">
        {p.shown}
      </span>
      <select
        aria-label={p.label}
        data-testid={p.testId}
        value={p.value}
        disabled={p.disabled}
        onChange={(e) => p.onChange(e.target.value)}
      >
        {p.children}
      </select>
    </label>
  );
}

/** The brand, the agent, model and language pickers, and the page's actions. */
export function TopBar(p: Props) {
  const { locale } = p;
  const current = p.agents.find((a) => a.id === p.agent);
  const agentOptions = p.agents.map((a) => (
    <option key={a.id} value={a.id}>
      {agentLabel(a, locale)}
    </option>
  ));
  return (
    <header className="bar">
      <div className="brand" data-testid="brand">
        <button type="button" className="ghost menu" data-testid="menu" onClick={p.onMenu} aria-label={t(locale, "menu")}>
          ☰
        </button>
        {p.brand.logo ? <img src={p.brand.logo} alt="" /> : <span className="mark" aria-hidden="true" />}
        <h1>{p.brand.name}</h1>
      </div>
      <div className="pickers">
        {p.agents.length > 1 && (
          <Picker
            label={t(locale, "agent")}
            shown={current ? agentLabel(current, locale) : ""}
            testId="agent"
            value={p.agent}
            {...(p.agentLocked && { title: t(locale, "barAgentLocked") })}
            onChange={(v) => (v === "+new" ? p.onNewAgent() : v === "+edit" ? p.onEditAgent?.(p.agent) : p.onAgent(v))}
          >
            {/* Said where it is read on a phone too: in the opened list, not only in a hover tooltip. */}
            {p.agentLocked ? <optgroup label={t(locale, "barAgentLocked")}>{agentOptions}</optgroup> : agentOptions}
            {p.onEditAgent && current && !current.builtIn && <option value="+edit">{t(locale, "editAgent")}…</option>}
            <option value="+new">{t(locale, "barNewAgent")}</option>
          </Picker>
        )}
        <Picker
          label={t(locale, "model")}
          shown={p.modelName?.(p.model) ?? p.model}
          title={fillText(t(locale, "barModel"), { model: p.model })}
          testId="model"
          value={p.model}
          disabled={!p.models.length}
          onChange={p.onModel}
        >
          {p.models.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </Picker>
        {p.locales.length > 1 && (
          <Picker
            label={t(locale, "language")}
            shown={localeShort[locale]}
            title={fillText(t(locale, "barLanguage"), { language: localeNames[locale] })}
            testId="locale"
            value={locale}
            disabled={!p.localeReady}
            onChange={(v) => p.onLocale(v as Locale)}
          >
            {p.locales.map((l) => (
              <option key={l} value={l} lang={l}>
                {localeNames[l]}
              </option>
            ))}
          </Picker>
        )}
      </div>
      <div className="actions">
        {p.onNewChat && (
          <button
            type="button"
            className="ghost icon-text bar-new-chat"
            data-testid="bar-new-chat"
            onClick={p.onNewChat}
            disabled={p.newChatDisabled}
            aria-label={t(locale, "barNewChat")}
          >
            <PlusIcon />
            <span className="wide">{t(locale, "barNewChat")}</span>
          </button>
        )}
        <button
          type="button"
          className="ghost icon-text"
          data-testid="open-settings"
          onClick={p.onSettings}
          disabled={!p.onSettings}
          aria-label={t(locale, "barSettings")}
        >
          <GearIcon />
          <span className="wide">{t(locale, "barSettings")}</span>
        </button>
        {p.onExport && (
          <button
            type="button"
            className="ghost"
            data-testid="export"
            title={t(locale, "export")}
            aria-label={t(locale, "export")}
            onClick={p.onExport}
          >
            ⤓
          </button>
        )}
      </div>
    </header>
  );
}
