import type { AgentView } from "@benih/contracts";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { takeAuthQuery } from "./account/authQuery.ts";
import { useAccount } from "./account/useAccount.ts";
import { conversations } from "./api/conversations.ts";
import { mediaUrl } from "./api/http.ts";
import { Composer, type ComposerHandle } from "./composer/Composer.tsx";
import { isSkill } from "./composer/skills.ts";
import { useConversations } from "./hooks/useConversations.ts";
import { useMarket } from "./hooks/useMarket.ts";
import { useProblem } from "./hooks/useProblem.ts";
import { useTheme } from "./hooks/useTheme.ts";
import { t } from "./i18n.ts";
import { MessageList } from "./MessageList.tsx";
import { modelExamples, modelIntro, shortModelName } from "./modelIntro.ts";
import { Sidebar } from "./Sidebar.tsx";
import { OFFLINE_SPEECH_MODEL } from "./speech/speaker.ts";
import { SpeechModel } from "./speech/SpeechModel.tsx";
import { TopBar } from "./TopBar.tsx";

// The dialogs are chunks of their own, loaded when first opened: the first page load does not carry them.
const SettingsPanel = lazy(() => import("./SettingsPanel.tsx").then((m) => ({ default: m.SettingsPanel })));
const AgentEditor = lazy(() => import("./AgentEditor.tsx").then((m) => ({ default: m.AgentEditor })));
// So are the screens before the app (a signed-in person's page never loads them).
const SignIn = lazy(() => import("./account/SignIn.tsx").then((m) => ({ default: m.SignIn })));
// Loaded when a call starts: most visits never make one.
const VoiceCall = lazy(() => import("./call/VoiceCall.tsx").then((m) => ({ default: m.VoiceCall })));
const KeyPrompt = lazy(() => import("./KeyPrompt.tsx").then((m) => ({ default: m.KeyPrompt })));

/** The chat app: conversations on the side, the one shown in the middle, the composer below. */
export function App() {
  const { error, needsKey, problems } = useProblem();
  // Read (and taken out of the address) at once, whether or not the sign-in screen shows.
  const authQuery = takeAuthQuery();
  const account = useAccount(needsKey);
  const server = useMarket(problems.report);
  const chats = useConversations(problems);
  useTheme(server.prefs.theme);
  /** The agent picked for the chat about to start; until then the person's default. */
  const [agentChoice, setAgentId] = useState<string>();
  const agentId = agentChoice ?? server.defaultAgent;
  const [drawer, setDrawer] = useState(false);
  const [showSettings, setShowSettings] = useState(false);
  const [calling, setCalling] = useState(false);
  /** The agent being made ("new") or changed, while its editor is open. */
  const [editingAgent, setEditingAgent] = useState<AgentView | "new" | null>(null);
  const composer = useRef<ComposerHandle>(null);
  const { locale, model } = server;
  const view = chats.view;

  /** Shows a saved conversation, with the model it was using. */
  const open = (id: string) =>
    void chats.open(id).then((v) => {
      if (!v) return;
      server.prefer(v.conversation.model);
      composer.current?.reset(server.agents.find((a) => a.id === v.conversation.agent)?.skills.find(isSkill));
      setDrawer(false);
    });
  // The conversation in the address is opened once the server has said which models it offers.
  const opened = useRef(false);
  useEffect(() => {
    const id = new URLSearchParams(location.search).get("c");
    if (!server.loaded || opened.current || !id) return;
    opened.current = true;
    open(id);
  });

  const { gate } = account;
  // Until /v1/me answers, nothing: neither a chat that sign-in would replace nor a sign-in a loopback owner never needs.
  if (gate.kind === "loading") return null;
  if (gate.kind === "signIn")
    return (
      <Suspense fallback={null}>
        <SignIn
          locale={locale}
          brand={{ name: server.name, logo: server.market?.brand.logo }}
          methods={gate.methods}
          query={authQuery}
          {...(gate.reason && { reason: gate.reason })}
          onSignedIn={() => location.reload()}
          onUseKey={account.toKeyPrompt}
        />
      </Suspense>
    );
  if (gate.kind === "key" || needsKey)
    return (
      <Suspense fallback={null}>
        <KeyPrompt locale={locale} wrong={gate.kind === "key" ? gate.wrong : needsKey === "wrong"} onSignIn={account.toSignIn} />
      </Suspense>
    );

  const agent = server.agents.find((a) => a.id === agentId);
  /** A new chat, with the person's default agent and model unless `withAgent` is picked for it. */
  function newChat(withAgent?: string) {
    if (chats.streaming) return;
    chats.startNew();
    const a = server.agents.find((x) => x.id === (withAgent ?? server.defaultAgent));
    setAgentId(withAgent);
    server.setModel(server.defaultModel);
    server.prefer(a?.model);
    composer.current?.reset(a?.skills.find(isSkill));
    setDrawer(false);
  }
  const modelView = server.modelViews.find((m) => m.id === model);
  const modelName = (id: string) => shortModelName(id, server.market?.id);
  const starters = agent?.starters.length ? agent.starters : modelExamples(modelView, locale);
  const exportShown = () => {
    if (!view) return;
    // Fetched with the key (a plain link could not send it), then saved under the conversation's title.
    void mediaUrl(conversations.exportUrl(view.conversation.id, locale)).then((url) => {
      const a = Object.assign(document.createElement("a"), { href: url, download: `${view.conversation.title || "conversation"}.md` });
      a.click();
    }, problems.report);
  };

  const speech = server.settings?.skills.speech;
  return (
    <SpeechModel.Provider value={speech?.models?.[0] ?? OFFLINE_SPEECH_MODEL}>
      <div className={`shell ${drawer ? "drawer-open" : ""}`}>
        <Sidebar
          locale={locale}
          list={chats.list}
          current={view?.conversation.id}
          busy={chats.streaming}
          onOpen={open}
          onNew={newChat}
          onRename={chats.rename}
          onDelete={chats.remove}
        />
        <button type="button" className="scrim" aria-label={t(locale, "menu")} onClick={() => setDrawer(false)} />
        <div className="app">
          <TopBar
            locale={locale}
            brand={{ name: server.name, logo: server.market?.brand.logo }}
            agents={server.agents}
            agent={view?.conversation.agent ?? agentId}
            agentLocked={!!view}
            onAgent={(id) => {
              if (view) return newChat(id);
              const a = server.agents.find((x) => x.id === id);
              setAgentId(id);
              composer.current?.chooseSkill(a?.skills.find(isSkill));
              server.prefer(a?.model);
            }}
            onNewAgent={() => setEditingAgent("new")}
            onEditAgent={(id) => setEditingAgent(server.agents.find((a) => a.id === id && !a.builtIn) ?? null)}
            models={server.models}
            model={model}
            onModel={server.setModel}
            locales={server.offered}
            localeReady={server.loaded}
            onLocale={server.chooseLocale}
            modelName={modelName}
            onNewChat={() => newChat()}
            newChatDisabled={chats.streaming}
            onSettings={() => setShowSettings(true)}
            onExport={view ? exportShown : undefined}
            onMenu={() => setDrawer(true)}
          />
          <Suspense fallback={null}>
            {showSettings && (
              <SettingsPanel
                locale={locale}
                marketName={server.marketName}
                locales={server.offered}
                prefs={server.prefs}
                agents={server.agents}
                models={server.models}
                agent={server.defaultAgent}
                model={server.defaultModel}
                onChange={(patch) => {
                  server.setPrefs(patch);
                  // The empty chat and the pickers follow a new default at once; a conversation keeps what it has.
                  if (view) return;
                  if (patch.agent) setAgentId(undefined);
                  if (patch.model) server.setModel(patch.model);
                }}
                onClose={() => setShowSettings(false)}
                me={gate.me}
                onSignedOut={() => location.reload()}
              />
            )}
            {editingAgent && (
              <AgentEditor
                locale={locale}
                models={server.models}
                {...(editingAgent !== "new" && { agent: editingAgent })}
                onClose={() => setEditingAgent(null)}
                onDone={(a) => {
                  server.addAgent(a);
                  setAgentId(a.id);
                  setEditingAgent(null);
                }}
                onDeleted={(id) => {
                  server.dropAgent(id);
                  setAgentId("benih");
                  setEditingAgent(null);
                }}
              />
            )}
          </Suspense>
          <MessageList
            turns={chats.turns}
            locale={locale}
            busy={chats.streaming}
            error={error}
            models={server.loaded ? server.models.length : null}
            starters={starters}
            intro={modelIntro(modelView, locale, modelName(model))}
            onStarter={(text) => composer.current?.fill(text)}
            onSwitch={chats.switchTo}
            onEdit={(turn, text) => void chats.ask({ type: "send", message: { content: text, parentId: turn.parent_id } }, model, agentId)}
            onRegenerate={(turn) => void chats.ask({ type: "regenerate", turn }, model, agentId)}
            onChangeImage={(id) => composer.current?.changeImage(id)}
            onProblem={problems.report}
          />
          <Composer
            ref={composer}
            locale={locale}
            model={model}
            settings={server.settings}
            streaming={chats.streaming}
            onSend={(message) => void chats.ask({ type: "send", message }, model, agentId)}
            onStop={chats.stop}
            onCall={() => setCalling(true)}
          />
          {calling && (
            <Suspense fallback={null}>
              <VoiceCall
                locale={locale}
                canHear={server.settings?.skills.transcription?.configured !== false}
                turns={chats.turns}
                streaming={chats.streaming}
                onAsk={(text) => chats.ask({ type: "send", message: { content: text } }, model, agentId)}
                onStop={chats.stop}
                onClose={() => setCalling(false)}
              />
            </Suspense>
          )}
        </div>
      </div>
    </SpeechModel.Provider>
  );
}
