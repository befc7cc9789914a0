import { useCallback, useEffect, useState } from "react";
import { getAgents, getMarket, getModels, getSettings } from "../api/server.ts";
import type { AgentView } from "@benih/contracts";
import type { MarketInfo, Settings } from "../api/types.ts";
import { isLocale, type Locale } from "../i18n.ts";
import { store, stored } from "../storage.ts";

/** The UI language: the user's last choice if this market offers it, else the market's default. */
function pickLocale(market: MarketInfo | null): Locale {
  const chosen = stored(`locale.${market?.id ?? "none"}`);
  if (chosen && isLocale(chosen) && offeredBy(market).includes(chosen)) return chosen;
  const preferred = market?.defaultLocale ?? navigator.language.slice(0, 2);
  return isLocale(preferred) ? preferred : "en";
}

const offeredBy = (market: MarketInfo | null) => (market?.locales ?? ["en", "zh", "id"]).filter(isLocale);
const brandName = (m: MarketInfo | null, l: Locale) =>
  (m ? (m.brand.name[l] ?? m.brand.name[m.defaultLocale] ?? Object.values(m.brand.name)[0]) : "benih") ?? "benih";

/** What this server offers this host (market, models, settings, agents), and the language and model chosen. */
export function useMarket(report: (e: Error) => void) {
  const [market, setMarket] = useState<MarketInfo | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [locale, setLocale] = useState<Locale>("en");
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState("");
  const [settings, setSettings] = useState<Settings | null>(null);
  const [agents, setAgents] = useState<AgentView[]>([]);

  useEffect(() => {
    (async () => {
      const m = await getMarket();
      const available = await getModels();
      setMarket(m);
      setLocale(pickLocale(m));
      setModels(available);
      const preferred = m?.defaults.chat;
      setModel(preferred && available.includes(preferred) ? preferred : (available[0] ?? ""));
      setSettings(await getSettings());
      setAgents(await getAgents());
    })()
      .catch(report)
      .finally(() => setLoaded(true));
  }, [report]);

  const name = brandName(market, locale);
  useEffect(() => {
    document.documentElement.lang = locale === "zh" ? "zh-CN" : locale;
    document.title = name;
    const colors = market?.brand.colors;
    if (colors) {
      document.documentElement.style.setProperty("--brand", colors.primary);
      document.documentElement.style.setProperty("--accent", colors.accent ?? colors.primary);
    }
  }, [locale, name, market]);

  return {
    market,
    loaded,
    name,
    locale,
    /** Kept per market: each market offers its own languages. */
    chooseLocale: (l: Locale) => {
      setLocale(l);
      store(`locale.${market?.id ?? "none"}`, l);
    },
    offered: offeredBy(market),
    models,
    model,
    setModel,
    /** Switches to a model (a conversation's, an agent's) if this server still offers it. */
    prefer: useCallback((m: string | null | undefined) => m && models.includes(m) && setModel(m), [models]),
    settings,
    agents,
    addAgent: (a: AgentView) => setAgents((as) => [...as, a]),
  };
}
