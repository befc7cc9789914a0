import { useCallback, useEffect, useRef, useState } from "react";
import {
  conversations,
  getAgents,
  getMarket,
  getModels,
  getSettings,
  mediaUrl,
  NeedsKey,
  setApiKey,
  streamAnswer,
  translateFile,
  uploadDocument,
  type Agent,
  type Conversation,
  type ConversationView,
  type MarketInfo,
  type Settings,
} from "./api.ts";
import { isLocale, localeNames, t, type Locale } from "./i18n.ts";
import { GlobeIcon, PaperclipIcon, SearchIcon } from "./icons.tsx";
import { AgentEditor } from "./AgentEditor.tsx";
import { SettingsPanel } from "./SettingsPanel.tsx";
import { Sidebar } from "./Sidebar.tsx";
import { Thread, type Turn } from "./Thread.tsx";

type Theme = "light" | "dark";
type Skill = "search" | "web" | "translate" | "write" | "image" | "video";
type Options = { target?: string; template?: string; edit?: string; glossary?: Record<string, string>; size?: string; seed?: number };
const SIZES = ["1024x1024", "1024x1536", "1536x1024", "512x512"];
/** "term = translation" lines as a glossary. */
const glossaryOf = (text: string) =>
  Object.fromEntries(
    text
      .split("\n")
      .map((l) => l.split("=").map((x) => x.trim()))
      .filter((p): p is [string, string] => p.length === 2 && !!p[0] && !!p[1]),
  );
type Ask = { type: "send"; content: string; parentId?: string | null; skill?: Skill; options?: Options; attachments?: string[] } | { type: "regenerate"; turn: Turn };
const TARGETS = ["English", "Chinese (Simplified)", "Indonesian", "Malay", "Japanese", "Korean", "Thai", "Vietnamese", "Arabic", "Spanish", "French", "German"];
const TEMPLATES = ["summarise", "rewrite", "email", "outline"] as const;
const agentName = (a: Agent, l: Locale) => (typeof a.name === "string" ? a.name : (a.name[l] ?? a.name.en ?? a.id));
type Upload = { name: string; progress: number; state: "sending" | "indexed" | "failed" | "translating" | "translated"; error?: string; id?: string; file: File };

const stored = (key: string) => localStorage.getItem(`benih.${key}`) ?? undefined;
const store = (key: string, value: string) => localStorage.setItem(`benih.${key}`, value);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The UI language: the user's last choice if this market offers it, else the market's default. */
function pickLocale(market: MarketInfo | null): Locale {
  const offered = (market?.locales ?? ["en", "zh", "id"]).filter(isLocale);
  const chosen = stored(`locale.${market?.id ?? "none"}`);
  if (chosen && isLocale(chosen) && offered.includes(chosen)) return chosen;
  const preferred = market?.defaultLocale ?? navigator.language.slice(0, 2);
  return isLocale(preferred) ? preferred : "en";
}

const brandName = (m: MarketInfo | null, l: Locale) => (m ? (m.brand.name[l] ?? m.brand.name[m.defaultLocale] ?? Object.values(m.brand.name)[0]) : "benih") ?? "benih";
const branchOf = (v: ConversationView): Turn[] => v.thread.map((id) => v.messages.find((m) => m.id === id)!);

export function App() {
  const [market, setMarket] = useState<MarketInfo | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [locale, setLocale] = useState<Locale>("en");
  const [theme, setTheme] = useState<Theme>(() => (stored("theme") as Theme | undefined) ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState("");
  const [list, setList] = useState<Conversation[]>([]);
  const [view, setView] = useState<ConversationView | null>(null);
  /** The branch shown while an answer streams (the saved view comes back when it ends). */
  const [live, setLive] = useState<Turn[] | null>(null);
  const [draft, setDraft] = useState("");
  const [drawer, setDrawer] = useState(false);
  const [error, setError] = useState<string>();
  /** Set when the server wants an API key this browser does not have (or has a wrong one of). */
  const [needsKey, setNeedsKey] = useState<"missing" | "wrong" | null>(null);
  const [keyDraft, setKeyDraft] = useState("");
  const [skill, setSkill] = useState<Skill | null>(null);
  const [options, setOptions] = useState<{ target: string; template: string; glossary: string; size: string; seed: string }>({ target: "English", template: "summarise", glossary: "", size: "1024x1024", seed: "" });
  /** A drawn image the next message changes (image skill). */
  const [changing, setChanging] = useState<string | null>(null);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [agentId, setAgentId] = useState("benih");
  const [settings, setSettings] = useState<Settings | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [editingAgent, setEditingAgent] = useState(false);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const running = useRef<AbortController | null>(null);
  const end = useRef<HTMLDivElement>(null);

  const refreshList = useCallback(() => conversations.list().then(setList, (e: Error) => setError(e.message)), []);
  const show = useCallback((v: ConversationView | null) => {
    setView(v);
    history.replaceState(null, "", v ? `?c=${encodeURIComponent(v.conversation.id)}` : location.pathname);
  }, []);

  useEffect(() => {
    (async () => {
      const m = await getMarket();
      const available = await getModels();
      setMarket(m);
      setLocale(pickLocale(m));
      setModels(available);
      const preferred = m?.defaults.chat;
      setModel(preferred && available.includes(preferred) ? preferred : (available[0] ?? ""));
      await refreshList();
      setSettings(await getSettings());
      setAgents(await getAgents());
      const open = new URLSearchParams(location.search).get("c");
      if (open) {
        const v = await conversations.get(open);
        show(v);
        if (available.includes(v.conversation.model)) setModel(v.conversation.model);
      }
    })()
      .catch((e: Error) => (e instanceof NeedsKey ? setNeedsKey(localStorage.getItem("benih.apiKey") ? "wrong" : "missing") : setError(e.message)))
      .finally(() => setLoaded(true));
  }, [refreshList, show]);

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

  const turns = live ?? (view ? branchOf(view) : []);
  // A block body: scrollIntoView returns a promise in newer browsers, and an effect may only return a cleanup.
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [turns.length, turns.at(-1)?.content]);

  const chooseLocale = (l: Locale) => {
    setLocale(l);
    store(`locale.${market?.id ?? "none"}`, l);
  };
  const toggleTheme = () => {
    const next = theme === "dark" ? "light" : "dark";
    setTheme(next);
    store("theme", next);
  };

  async function open(id: string) {
    if (running.current) return;
    try {
      const v = await conversations.get(id);
      show(v);
      if (models.includes(v.conversation.model)) setModel(v.conversation.model);
      setDrawer(false);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  /** Sends a message (or asks for another answer) and shows the answer as it streams. */
  async function ask(what: Ask) {
    if (running.current || !model) return;
    setError(undefined);
    const controller = new AbortController();
    running.current = controller;
    let id = view?.conversation.id;
    try {
      const v = view ?? { conversation: await conversations.create(model, agentId), messages: [], thread: [] };
      id = v.conversation.id;
      if (!view) show(v);
      const base = branchOf(v);
      const answered = what.type === "send" ? (what.parentId === undefined ? v.conversation.leaf : what.parentId) : what.turn.role === "assistant" ? what.turn.parent_id : what.turn.id;
      setLive(base.slice(0, answered ? base.findIndex((x) => x.id === answered) + 1 : 0));
      const path = what.type === "send" ? `/v1/conversations/${id}/messages` : `/v1/conversations/${id}/messages/${what.turn.id}/regenerate`;
      const body =
        what.type === "send"
          ? {
              content: what.content,
              model,
              ...(what.parentId !== undefined && { parentId: what.parentId }),
              ...(what.skill && { skill: what.skill }),
              ...(what.options && { options: what.options }),
              ...(what.attachments?.length && { attachments: what.attachments }),
            }
          : { model };
      const ended = await streamAnswer(
        path,
        body,
        {
          onUser: (m) => setLive((ts) => [...(ts ?? []), m]),
          onAnswer: (a) => setLive((ts) => [...(ts ?? []), { id: a.id, parent_id: a.parent_id, role: "assistant", content: "", status: "streaming", siblings: [a.id], error: null, meta: a.meta ?? {} }]),
          onText: (text) => setLive((ts) => ts && [...ts.slice(0, -1), { ...ts.at(-1)!, content: ts.at(-1)!.content + text }]),
        },
        controller.signal,
      );
      if (ended.error) setError(ended.error.message);
    } catch (e) {
      if (!controller.signal.aborted) setError((e as Error).message);
    } finally {
      if (id) {
        // The saved conversation is the truth; a stopped answer takes the server a moment to record.
        for (let i = 0; i < 30; i++) {
          const fresh = await conversations.get(id).catch(() => null);
          if (fresh && (!fresh.messages.some((m) => m.status === "streaming") || i === 29)) {
            show(fresh);
            break;
          }
          await sleep(100);
        }
      }
      setLive(null);
      running.current = null;
      void refreshList();
    }
  }

  function send() {
    const text = draft.trim();
    if (!text || running.current) return;
    setDraft("");
    const glossary = glossaryOf(options.glossary);
    const chosen: Options | undefined =
      skill === "translate"
        ? { target: options.target, ...(Object.keys(glossary).length && { glossary }) }
        : skill === "write"
          ? { template: options.template }
          : skill === "image"
            ? { size: options.size, ...(/^\d+$/.test(options.seed) && { seed: Number(options.seed) }), ...(changing && { edit: changing }) }
            : undefined;
    setChanging(null);
    // Documents uploaded since the last message go with this one: it is answered from them.
    const attachments = uploads.flatMap((u) => (u.state === "indexed" && u.id ? [u.id] : []));
    setUploads((us) => us.filter((u) => u.state !== "indexed"));
    void ask({ type: "send", content: text, ...(skill && { skill }), ...(chosen && { options: chosen }), ...(attachments.length && { attachments }) });
  }

  /** Translates an attached file whole, with progress, and saves the translation as Markdown. */
  async function translateUpload(u: Upload) {
    const update = (x: Partial<Upload>) => setUploads((us) => us.map((y) => (y.name === u.name ? { ...y, ...x } : y)));
    update({ state: "translating", progress: 0 });
    try {
      const out = await translateFile(u.file, options.target, model, (done, total) => update({ progress: done / total }));
      const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(new Blob([out.markdown], { type: "text/markdown" })), download: out.name });
      a.click();
      update({ state: "translated", progress: 1 });
    } catch (e) {
      update({ state: "failed", error: (e as Error).message });
    }
  }

  /** Uploads chosen files into the knowledge base, one at a time; they go with the next message as attachments. */
  async function attach(files: FileList) {
    for (const file of Array.from(files)) {
      const update = (u: Partial<Upload>) => setUploads((us) => us.map((x) => (x.name === file.name ? { ...x, ...u } : x)));
      setUploads((us) => [...us.filter((x) => x.name !== file.name), { name: file.name, progress: 0, state: "sending", file }]);
      try {
        const doc = await uploadDocument(file, (progress) => update({ progress }));
        update({ progress: 1, state: "indexed", id: doc.id });
      } catch (e) {
        update({ state: "failed", error: (e as Error).message });
      }
    }
  }

  if (needsKey) {
    return (
      <form
        className="key-prompt"
        data-testid="key-prompt"
        onSubmit={(e) => {
          e.preventDefault();
          setApiKey(keyDraft.trim());
          location.reload();
        }}
      >
        <span className="mark" aria-hidden="true" />
        <p>{needsKey === "wrong" ? t(locale, "keyWrong") : t(locale, "keyNeeded")}</p>
        <input type="password" autoComplete="off" value={keyDraft} onChange={(e) => setKeyDraft(e.target.value)} placeholder={t(locale, "apiKey")} data-testid="api-key" />
        <button type="submit" disabled={!keyDraft.trim()}>
          {t(locale, "useKey")}
        </button>
      </form>
    );
  }

  const streaming = live !== null;
  const offered = (market?.locales ?? ["en", "zh", "id"]).filter(isLocale);

  return (
    <div className={`shell ${drawer ? "drawer-open" : ""}`}>
      <Sidebar
        locale={locale}
        list={list}
        current={view?.conversation.id}
        busy={streaming}
        onOpen={(id) => void open(id)}
        onNew={() => {
          if (streaming) return;
          show(null);
          setDrawer(false);
        }}
        onRename={(id, title) => void conversations.update(id, { title }).then((v) => (show(v), refreshList()), (e: Error) => setError(e.message))}
        onDelete={(id) =>
          void conversations.remove(id).then(
            () => {
              if (view?.conversation.id === id) show(null);
              void refreshList();
            },
            (e: Error) => setError(e.message),
          )
        }
      />
      <button type="button" className="scrim" aria-label={t(locale, "menu")} onClick={() => setDrawer(false)} />
      <div className="app">
        <header className="bar">
          <div className="brand" data-testid="brand">
            <button type="button" className="ghost menu" data-testid="menu" onClick={() => setDrawer(true)} aria-label={t(locale, "menu")}>
              ☰
            </button>
            {market?.brand.logo ? <img src={market.brand.logo} alt="" /> : <span className="mark" aria-hidden="true" />}
            <span>{name}</span>
          </div>
          <div className="pickers">
            {agents.length > 1 && (
              <label>
                <span className="sr">{t(locale, "agent")}</span>
                <select
                  data-testid="agent"
                  value={view?.conversation.agent ?? agentId}
                  disabled={!!view}
                  onChange={(e) => {
                    if (e.target.value === "+new") return setEditingAgent(true);
                    const a = agents.find((x) => x.id === e.target.value);
                    setAgentId(e.target.value);
                    const first = a?.skills[0];
                    setSkill(first === "search" || first === "web" || first === "translate" || first === "write" || first === "image" || first === "video" ? first : null);
                    if (a?.model && models.includes(a.model)) setModel(a.model);
                  }}
                >
                  {agents.map((a) => (
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
              <select data-testid="model" value={model} onChange={(e) => setModel(e.target.value)} disabled={!models.length}>
                {models.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </label>
            {offered.length > 1 && (
              <label>
                <span className="sr">{t(locale, "language")}</span>
                {/* Chosen only once the market is known: the choice is kept per market. */}
                <select data-testid="locale" value={locale} disabled={!loaded} onChange={(e) => chooseLocale(e.target.value as Locale)}>
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
            <button type="button" className="ghost" data-testid="open-settings" onClick={() => setShowSettings(true)} disabled={!settings}>
              {t(locale, "settings")}
            </button>
            {view && (
              <button
                type="button"
                className="ghost"
                data-testid="export"
                title={t(locale, "export")}
                onClick={() => {
                  // Fetched with the key (a plain link could not send it), then saved under the conversation's title.
                  void mediaUrl(conversations.exportUrl(view.conversation.id)).then((url) => {
                    const a = Object.assign(document.createElement("a"), { href: url, download: `${view.conversation.title || "conversation"}.md` });
                    a.click();
                  }, (e: Error) => setError(e.message));
                }}
              >
                ⤓
              </button>
            )}
          </div>
        </header>

        {showSettings && settings && <SettingsPanel settings={settings} locale={locale} onClose={() => setShowSettings(false)} />}
        {editingAgent && (
          <AgentEditor
            locale={locale}
            models={models}
            onClose={() => setEditingAgent(false)}
            onDone={(a) => {
              setAgents((as) => [...as, a]);
              setAgentId(a.id);
              setEditingAgent(false);
            }}
          />
        )}
        <main className="thread" data-testid="thread">
          {error && <p className="notice error" data-testid="error">{error}</p>}
          {loaded && !models.length && !error && <p className="notice">{t(locale, "noModels")}</p>}
          {!turns.length && models.length > 0 && <p className="empty">{t(locale, "empty")}</p>}
          {!turns.length && (agents.find((a) => a.id === agentId)?.starters.length ?? 0) > 0 && (
            <div className="starters">
              {agents
                .find((a) => a.id === agentId)!
                .starters.map((st) => (
                  <button key={st} type="button" className="ghost" data-testid="starter" onClick={() => setDraft(st)}>
                    {st}
                  </button>
                ))}
            </div>
          )}
          <Thread
            turns={turns}
            locale={locale}
            busy={streaming}
            onSwitch={(to) => view && void conversations.update(view.conversation.id, { leaf: to }).then(show, (e: Error) => setError(e.message))}
            onEdit={(turn, text) => void ask({ type: "send", content: text, parentId: turn.parent_id })}
            onRegenerate={(turn) => void ask({ type: "regenerate", turn })}
            onChangeImage={(id) => {
              setSkill("image");
              setChanging(id);
            }}
          />
          <div ref={end} />
        </main>

        <div className="dock">
          {uploads.length > 0 && (
            <ul className="uploads" data-testid="uploads">
              {uploads.map((u) => (
                <li key={u.name} className={u.state} data-state={u.state}>
                  <span className="name">{u.name}</span>
                  {(u.state === "sending" || u.state === "translating") && <progress max={1} value={u.progress} data-testid="upload-progress" />}
                  {u.state === "indexed" && <span className="meta">✓ {t(locale, "indexed")}</span>}
                  {u.state === "translated" && <span className="meta">✓ {t(locale, "skillTranslate")}</span>}
                  {u.state === "indexed" && skill === "translate" && (
                    <button type="button" className="ghost" data-testid="translate-document" onClick={() => void translateUpload(u)}>
                      {t(locale, "translateDocument")}
                    </button>
                  )}
                  {u.state === "failed" && <span className="error">{u.error}</span>}
                  {u.state !== "sending" && u.state !== "translating" && (
                    <button type="button" className="ghost" aria-label="×" onClick={() => setUploads((us) => us.filter((x) => x.name !== u.name))}>
                      ×
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          <form
            className="composer"
            onSubmit={(e) => {
              e.preventDefault();
              send();
            }}
          >
            <label className="attach button ghost" title={t(locale, "attach")}>
              <PaperclipIcon />
              <span className="sr">{t(locale, "attach")}</span>
              <input
                type="file"
                data-testid="attach"
                accept=".pdf,.docx,.md,.markdown,.html,.htm,.txt"
                multiple
                onChange={(e) => {
                  if (e.target.files?.length) void attach(e.target.files);
                  e.target.value = "";
                }}
              />
            </label>
            <textarea
              data-testid="input"
              value={draft}
              placeholder={t(locale, "placeholder")}
              rows={1}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                  e.preventDefault();
                  send();
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
          {changing && skill === "image" && (
            <p className="meta changing" data-testid="changing">
              {t(locale, "changing")} {changing}{" "}
              <button type="button" className="ghost" onClick={() => setChanging(null)}>
                ×
              </button>
            </p>
          )}
          <div className="chips">
            <button type="button" className={`chip ${skill === "search" ? "on" : ""}`} aria-pressed={skill === "search"} data-testid="skill-search" onClick={() => setSkill(skill === "search" ? null : "search")}>
              <SearchIcon /> {t(locale, "skillSearch")}
            </button>
            <button
              type="button"
              className={`chip ${skill === "web" ? "on" : ""}`}
              aria-pressed={skill === "web"}
              data-testid="skill-web"
              disabled={!settings?.skills.web?.configured}
              title={settings?.skills.web?.set ?? ""}
              onClick={() => setSkill(skill === "web" ? null : "web")}
            >
              <GlobeIcon /> {t(locale, "skillWeb")}
            </button>
            <button
              type="button"
              className={`chip ${skill === "image" ? "on" : ""}`}
              aria-pressed={skill === "image"}
              data-testid="skill-image"
              disabled={!settings?.skills.image?.configured}
              title={settings?.skills.image?.set ?? ""}
              onClick={() => setSkill(skill === "image" ? null : "image")}
            >
              {t(locale, "skillImage")}
            </button>
            {skill === "image" && (
              <>
                <label className="chip-option">
                  {t(locale, "size")}{" "}
                  <select data-testid="image-size" value={options.size} onChange={(e) => setOptions({ ...options, size: e.target.value })}>
                    {SIZES.map((x) => (
                      <option key={x}>{x}</option>
                    ))}
                  </select>
                </label>
                <label className="chip-option">
                  {t(locale, "seed")}{" "}
                  <input data-testid="image-seed" inputMode="numeric" size={7} value={options.seed} onChange={(e) => setOptions({ ...options, seed: e.target.value.replace(/\D/g, "") })} />
                </label>
              </>
            )}
            <button
              type="button"
              className={`chip ${skill === "video" ? "on" : ""}`}
              aria-pressed={skill === "video"}
              data-testid="skill-video"
              disabled={!settings?.skills.video?.configured}
              title={settings?.skills.video?.note ?? settings?.skills.video?.set ?? ""}
              onClick={() => setSkill(skill === "video" ? null : "video")}
            >
              {t(locale, "skillVideo")}
            </button>
            <button type="button" className={`chip ${skill === "translate" ? "on" : ""}`} aria-pressed={skill === "translate"} data-testid="skill-translate" onClick={() => setSkill(skill === "translate" ? null : "translate")}>
              {t(locale, "skillTranslate")}
            </button>
            {skill === "translate" && (
              <label className="chip-option">
                {t(locale, "into")}{" "}
                <select data-testid="translate-target" value={options.target} onChange={(e) => setOptions({ ...options, target: e.target.value })}>
                  {TARGETS.map((x) => (
                    <option key={x}>{x}</option>
                  ))}
                </select>
              </label>
            )}
            {skill === "translate" && (
              <textarea className="glossary" data-testid="glossary" rows={2} placeholder={t(locale, "glossary")} value={options.glossary} onChange={(e) => setOptions({ ...options, glossary: e.target.value })} />
            )}
            <button type="button" className={`chip ${skill === "write" ? "on" : ""}`} aria-pressed={skill === "write"} data-testid="skill-write" onClick={() => setSkill(skill === "write" ? null : "write")}>
              {t(locale, "skillWrite")}
            </button>
            {skill === "write" && (
              <select data-testid="write-template" className="chip-option" value={options.template} onChange={(e) => setOptions({ ...options, template: e.target.value })}>
                {TEMPLATES.map((x) => (
                  <option key={x} value={x}>
                    {t(locale, x)}
                  </option>
                ))}
              </select>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}
