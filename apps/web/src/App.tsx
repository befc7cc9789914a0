import { useEffect, useRef, useState } from "react";
import { getMarket, getModels, streamChat, type ChatMessage, type MarketInfo } from "./api.ts";
import { isLocale, localeNames, t, type Locale } from "./i18n.ts";

type Theme = "light" | "dark";
interface Turn extends ChatMessage {
  state?: "streaming" | "stopped" | "failed";
  error?: string;
}

const stored = (key: string) => localStorage.getItem(`benih.${key}`) ?? undefined;
const store = (key: string, value: string) => localStorage.setItem(`benih.${key}`, value);

/** The UI language: the user's last choice if this market offers it, else the market's default. */
function pickLocale(market: MarketInfo | null): Locale {
  const offered = (market?.locales ?? ["en", "zh", "id"]).filter(isLocale);
  const chosen = stored(`locale.${market?.id ?? "none"}`);
  if (chosen && isLocale(chosen) && offered.includes(chosen)) return chosen;
  const preferred = market?.defaultLocale ?? navigator.language.slice(0, 2);
  return isLocale(preferred) ? preferred : "en";
}

const brandName = (m: MarketInfo | null, l: Locale) => (m ? (m.brand.name[l] ?? m.brand.name[m.defaultLocale] ?? Object.values(m.brand.name)[0]) : "benih") ?? "benih";

export function App() {
  const [market, setMarket] = useState<MarketInfo | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [locale, setLocale] = useState<Locale>("en");
  const [theme, setTheme] = useState<Theme>(() => (stored("theme") as Theme | undefined) ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState("");
  const [turns, setTurns] = useState<Turn[]>([]);
  const [draft, setDraft] = useState("");
  const [loadError, setLoadError] = useState<string>();
  const running = useRef<AbortController | null>(null);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    (async () => {
      const m = await getMarket();
      const list = await getModels();
      setMarket(m);
      setLocale(pickLocale(m));
      setModels(list);
      const preferred = m?.defaults.chat;
      setModel(preferred && list.includes(preferred) ? preferred : (list[0] ?? ""));
    })()
      .catch((e: Error) => setLoadError(e.message))
      .finally(() => setLoaded(true));
  }, []);

  const name = brandName(market, locale);
  useEffect(() => {
    document.documentElement.lang = locale === "zh" ? "zh-CN" : locale;
    document.documentElement.dataset.theme = theme;
    document.title = name;
    const colors = market?.brand.colors;
    if (colors) {
      document.documentElement.style.setProperty("--brand", colors.primary);
      document.documentElement.style.setProperty("--accent", colors.accent ?? colors.primary);
    }
  }, [locale, theme, name, market]);

  // A block body: scrollIntoView returns a promise in newer browsers, and an effect may only return a cleanup.
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [turns]);

  const chooseLocale = (l: Locale) => {
    setLocale(l);
    store(`locale.${market?.id ?? "none"}`, l);
  };
  const toggleTheme = () => {
    const next = theme === "dark" ? "light" : "dark";
    setTheme(next);
    store("theme", next);
  };

  async function send() {
    const text = draft.trim();
    if (!text || running.current || !model) return;
    const history: ChatMessage[] = [...turns.filter((x) => !x.error).map(({ role, content }) => ({ role, content })), { role: "user", content: text }];
    setDraft("");
    setTurns((ts) => [...ts, { role: "user", content: text }, { role: "assistant", content: "", state: "streaming" }]);
    const controller = new AbortController();
    running.current = controller;
    const update = (f: (t: Turn) => Turn) => setTurns((ts) => [...ts.slice(0, -1), f(ts[ts.length - 1]!)]);
    try {
      await streamChat(model, history, (piece) => update((a) => ({ ...a, content: a.content + piece })), controller.signal);
      update((a) => ({ ...a, state: undefined }));
    } catch (e) {
      if (controller.signal.aborted) update((a) => ({ ...a, state: "stopped" }));
      else update((a) => ({ ...a, state: "failed", error: (e as Error).message }));
    } finally {
      running.current = null;
    }
  }

  const streaming = turns.at(-1)?.state === "streaming";
  const offered = (market?.locales ?? ["en", "zh", "id"]).filter(isLocale);

  return (
    <div className="app">
      <header className="bar">
        <div className="brand" data-testid="brand">
          {market?.brand.logo ? <img src={market.brand.logo} alt="" /> : <span className="mark" aria-hidden="true" />}
          <span>{name}</span>
        </div>
        <div className="pickers">
          <label>
            <span className="sr">{t(locale, "model")}</span>
            <select data-testid="model" value={model} onChange={(e) => setModel(e.target.value)} disabled={!models.length}>
              {models.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
          {offered.length > 1 && (
            <label>
              <span className="sr">{t(locale, "language")}</span>
              <select data-testid="locale" value={locale} onChange={(e) => chooseLocale(e.target.value as Locale)}>
                {offered.map((l) => (
                  <option key={l} value={l}>
                    {localeNames[l]}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        <div className="actions">
          <button type="button" className="ghost" onClick={toggleTheme} title={t(locale, "theme")} data-testid="theme">
            {theme === "dark" ? t(locale, "light") : t(locale, "dark")}
          </button>
          <button type="button" className="ghost" onClick={() => !streaming && setTurns([])} disabled={streaming}>
            {t(locale, "newChat")}
          </button>
        </div>
      </header>

      <main className="thread" data-testid="thread">
        {loadError && <p className="notice error">{loadError}</p>}
        {loaded && !loadError && !models.length && <p className="notice">{t(locale, "noModels")}</p>}
        {!turns.length && models.length > 0 && <p className="empty">{t(locale, "empty")}</p>}
        {turns.map((turn, i) => (
          <div key={i} className={`turn ${turn.role}`} data-testid={turn.role === "user" ? "user-turn" : "assistant-turn"} data-state={turn.state ?? "done"}>
            <div className="bubble">
              {turn.content}
              {turn.state === "streaming" && <span className="caret" aria-hidden="true" />}
              {turn.state === "stopped" && <em className="meta"> [{t(locale, "stopped")}]</em>}
              {turn.error && (
                <em className="meta error">
                  {t(locale, "failed")}: {turn.error}
                </em>
              )}
            </div>
          </div>
        ))}
        <div ref={end} />
      </main>

      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <textarea
          data-testid="input"
          value={draft}
          placeholder={t(locale, "placeholder")}
          rows={1}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        />
        {streaming ? (
          <button type="button" data-testid="stop" onClick={() => running.current?.abort()}>
            {t(locale, "stop")}
          </button>
        ) : (
          <button type="submit" data-testid="send" disabled={!draft.trim() || !model}>
            {t(locale, "send")}
          </button>
        )}
      </form>
    </div>
  );
}
