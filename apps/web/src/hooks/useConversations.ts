import type { ConversationDetail } from "@benih/contracts";
import { useCallback, useEffect, useRef, useState } from "react";
import { conversations, streamAnswer, type MessageRequest } from "../api/conversations.ts";
import type { Conversation } from "../api/types.ts";
import type { Turn } from "../Thread.tsx";
import { withToolCall } from "../thread/toolCalls.ts";
import type { Problems } from "./useProblem.ts";

/** A new message (its text and what goes with it), or another answer to a turn. */
export type Ask = { type: "send"; message: Omit<MessageRequest, "model"> } | { type: "regenerate"; turn: Turn };

const branchOf = (v: ConversationDetail): Turn[] => v.thread.map((id) => v.messages.find((m) => m.id === id)!);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The saved conversations, the one shown (its id in the address), and the answer streaming into it. */
export function useConversations({ report, clear }: Problems) {
  const [list, setList] = useState<Conversation[]>([]);
  const [view, setView] = useState<ConversationDetail | null>(null);
  /** The branch shown while an answer streams (the saved view comes back when it ends). */
  const [live, setLive] = useState<Turn[] | null>(null);
  const running = useRef<AbortController | null>(null);

  const refresh = useCallback(() => conversations.list().then(setList, report), [report]);
  const show = useCallback((v: ConversationDetail | null) => {
    setView(v);
    history.replaceState(null, "", v ? `?c=${encodeURIComponent(v.conversation.id)}` : location.pathname);
  }, []);
  useEffect(() => void refresh(), [refresh]);

  /** Opens a saved conversation (not while an answer streams); resolves with it, or undefined if it could not. */
  async function open(id: string): Promise<ConversationDetail | undefined> {
    if (running.current) return;
    try {
      const v = await conversations.get(id);
      clear();
      show(v);
      return v;
    } catch (e) {
      report(e as Error);
    }
  }

  /**
   * Sends a message (or asks for another answer) and shows the answer as it streams; resolves once it is saved,
   * with what went wrong if it could not be sent (also reported on the page).
   */
  async function ask(what: Ask, model: string, agent: string): Promise<Error | undefined> {
    // Neither happens from the app's own controls (they wait, and need a model); said plainly for a caller that did.
    if (running.current) return new Error("an answer is still being written");
    if (!model) return new Error("no model is chosen");
    let failed: Error | undefined;
    clear();
    const controller = new AbortController();
    running.current = controller;
    let id = view?.conversation.id;
    try {
      const v = view ?? { conversation: await conversations.create(model, agent), messages: [], thread: [] };
      id = v.conversation.id;
      if (!view) show(v);
      const base = branchOf(v);
      const answered =
        what.type === "send"
          ? what.message.parentId === undefined
            ? v.conversation.leaf
            : what.message.parentId
          : what.turn.role === "assistant"
            ? what.turn.parent_id
            : what.turn.id;
      setLive(base.slice(0, answered ? base.findIndex((x) => x.id === answered) + 1 : 0));
      await streamAnswer(
        id,
        what.type === "send" ? { ...what.message, model } : { regenerate: what.turn.id, model },
        {
          onUser: (m) => setLive((ts) => [...(ts ?? []), m]),
          onAnswer: (a) =>
            setLive((ts) => [
              ...(ts ?? []),
              {
                id: a.id,
                parent_id: a.parent_id,
                role: "assistant",
                // The calls that wait for the person's OK are approved in it.
                conversation_id: v.conversation.id,
                content: "",
                status: "streaming",
                siblings: [a.id],
                error: null,
                meta: a.meta ?? {},
              },
            ]),
          onText: (text) => setLive((ts) => ts && [...ts.slice(0, -1), { ...ts.at(-1)!, content: ts.at(-1)!.content + text }]),
          onTool: (call) => setLive((ts) => ts && [...ts.slice(0, -1), { ...ts.at(-1)!, meta: withToolCall(ts.at(-1)!.meta, call) }]),
        },
        controller.signal,
      );
    } catch (e) {
      if (!controller.signal.aborted) {
        failed = e as Error;
        report(failed);
      }
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
      void refresh();
    }
    return failed;
  }

  return {
    list,
    view,
    turns: live ?? (view ? branchOf(view) : []),
    streaming: live !== null,
    open,
    ask,
    stop: () => running.current?.abort(),
    startNew: () => {
      clear();
      show(null);
    },
    /** Renames any conversation; the one shown is shown with its new title, another is not opened. */
    rename: (id: string, title: string) =>
      void conversations.update(id, { title }).then((v) => {
        if (view?.conversation.id === id) show(v);
        void refresh();
      }, report),
    remove: (id: string) =>
      void conversations.remove(id).then(() => {
        if (view?.conversation.id === id) show(null);
        void refresh();
      }, report),
    /** Shows another version of a turn (‹ 1/2 ›): the server keeps which branch is shown. */
    switchTo: (leaf: string) => view && void conversations.update(view.conversation.id, { leaf }).then(show, report),
  };
}
