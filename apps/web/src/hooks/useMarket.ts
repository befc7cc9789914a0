import { useCallback, useEffect, useMemo, useState } from "react";
import { getAgents, getMarket, getModels, getSettings } from "../api/server.ts";
import type { AgentView, ModelView } from "@benih/contracts";
import type { MarketInfo, Settings } from "../api/types.ts";
import { isLocale, type Locale } from "../i18n.ts";
import { preferences, type Preferences } from "../preferences.ts";

/** The UI language: the person's choice if this market offers it, else the market's default. */
function pickLocale(market: MarketInfo | null, chosen: Locale | undefined): Locale {
  if (chosen && offeredBy(market).includes(chosen)) return chosen;
  const preferred = market?.defaultLocale ?? navigator.language.slice(0, 2);
  return isLocale(preferred) ? preferred : "en";
}

const offeredBy = (market: MarketInfo | null) => (market?.locales ?? ["en", "zh", "id"]).filter(isLocale);
const brandName = (m: MarketInfo | null, l: Locale) =>
  (m ? (m.brand.name[l] ?? m.brand.name[m.defaultLocale] ?? Object.values(m.brand.name)[0]) : "benih") ?? "benih";

/**
 * What this server offers this host (market, models, settings, agents), the person's preferences in this market,
 * and the language and model chosen.
 */
export function useMarket(report: (e: Error) => void) {
  const [market, setMarket] = useState<MarketInfo | null>(null);
  const [loaded, setLoaded] = useState(false);
  // Until the market is known, the last one's: the page does not flash the wrong theme.
  const [prefs, setPrefsState] = useState<Preferences>(() => preferences.load(preferences.lastMarket()));
  const [modelViews, setModelViews] = useState<ModelView[]>([]);
  const [model, setModel] = useState("");
  const [settings, setSettings] = useState<Settings | null>(null);
  const [agents, setAgents] = useState<AgentView[]>([]);
  const marketId = market?.id ?? "none";
  const locale = pickLocale(market, prefs.locale);
  const models = useMemo(() => modelViews.map((m) => m.id), [modelViews]);

  useEffect(() => {
    (async () => {
      const m = await getMarket();
      const p = preferences.load(m?.id ?? "none");
      preferences.save(m?.id ?? "none", p);
      // Set before the models are asked for: signed out they are refused, and the sign-in screen still wears the market.
      setMarket(m);
      setPrefsState(p);
      const available = await getModels();
      setModelViews(available);
      const ids = available.map((v) => v.id);
      const preferred = [p.model, m?.defaults.chat].find((x) => x && ids.includes(x));
      setModel(preferred ?? ids[0] ?? "");
      setSettings(await getSettings());
    })()
      .catch(report)
      .finally(() => setLoaded(true));
  }, [report]);

  // The built-in agents' starters are in the UI language: asked again when it changes.
  useEffect(() => {
    if (loaded) getAgents(locale).then(setAgents, report);
  }, [loaded, locale, report]);

  const name = brandName(market, locale);
  const marketName = market ? (market.displayName[locale] ?? market.displayName[market.defaultLocale] ?? market.id) : undefined;
  useEffect(() => {
    document.documentElement.lang = locale === "zh" ? "zh-CN" : locale;
    document.title = name;
    const colors = market?.brand.colors;
    if (colors) {
      document.documentElement.style.setProperty("--brand", colors.primary);
      document.documentElement.style.setProperty("--accent", colors.accent ?? colors.primary);
    }
  }, [locale, name, market]);

  /** Changes some preferences and keeps them (per market: each market offers its own languages and models). */
  const setPrefs = (patch: Partial<Preferences>) => {
    const next = { ...prefs, ...patch };
    setPrefsState(next);
    preferences.save(marketId, next);
  };

  return {
    market,
    loaded,
    name,
    /** The market's name in the UI language (its id when it gives none). */
    marketName,
    locale,
    prefs,
    setPrefs,
    chooseLocale: (l: Locale) => setPrefs({ locale: l }),
    offered: offeredBy(market),
    models,
    /** What the server says of each model: its context, languages and example questions. */
    modelViews,
    model,
    setModel,
    /** The model a new chat starts with: the person's default while this server offers it, else the market's. */
    defaultModel: [prefs.model, market?.defaults.chat].find((x) => x && models.includes(x)) ?? models[0] ?? "",
    /** Switches to a model (a conversation's, an agent's) if this server still offers it. */
    prefer: useCallback((m: string | null | undefined) => m && models.includes(m) && setModel(m), [models]),
    /** The agent a new chat starts with: the person's default while it exists, else the assistant. */
    defaultAgent: prefs.agent && (!agents.length || agents.some((a) => a.id === prefs.agent)) ? prefs.agent : "benih",
    settings,
    agents,
    /** Lists a new agent, or an agent changed in place. */
    addAgent: (a: AgentView) => setAgents((as) => (as.some((x) => x.id === a.id) ? as.map((x) => (x.id === a.id ? a : x)) : [...as, a])),
    dropAgent: (id: string) => setAgents((as) => as.filter((x) => x.id !== id)),
  };
}
