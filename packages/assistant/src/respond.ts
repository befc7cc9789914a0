import type { AnswerError, AnswerEvents, MessageMeta } from "@benih/contracts";
import type { ConversationStore, Message } from "@benih/store";
import { ModelError, type Caller, type ChatTurn, type ModelClient, type ToolCall, type ToolDefinition } from "./model-client.ts";
import { branch } from "./thread.ts";

/** Skills offered to a model that calls tools: their definitions, how to run a call, and what to keep after. */
export interface Tools {
  definitions: ToolDefinition[];
  /** Runs one call; returns what the model reads back. */
  run(call: ToolCall): Promise<string>;
  /** Kept with the answer once done (the sources the calls found). */
  meta(): Record<string, unknown>;
}

/** Rounds of tool calls one answer may take before it must answer in text. */
const MAX_TOOL_ROUNDS = 4;

export interface RespondOptions {
  store: ConversationStore;
  client: ModelClient;
  conversationId: string;
  /** The user message being answered. */
  parent: Message;
  model: string;
  caller: Caller;
  /** Aborted when the user stops the answer (or goes away). */
  signal: AbortSignal;
  /** How often the partial answer is written while it streams: a crash loses at most this much of it. */
  flushMs?: number;
  onStart?: (answer: Message) => void;
  onText?: (text: string) => void;
  /** Instructions put before the conversation (an agent's, or a skill's sources). */
  system?: string;
  /** Kept with the answer from its start: the sources a skill gave it. */
  meta?: MessageMeta;
  /** Skills the model may call as tools (for models that support tool calling). */
  tools?: Tools;
}

export interface Answer {
  message: Message;
  status: AnswerEvents["done"]["status"];
  finishReason?: string;
  error?: AnswerError;
}

/** What the model sees: the branch down to the question; answers that failed carry nothing. */
export function history(messages: readonly Message[], parent: Message, system?: string): ChatTurn[] {
  const turns: ChatTurn[] = system ? [{ role: "system", content: system }] : [];
  for (const m of branch(messages, parent.id)) {
    if (m.role !== "user" && m.role !== "assistant") continue;
    if (m.role === "assistant" && (m.status === "failed" || !m.content)) continue;
    turns.push({ role: m.role, content: m.content });
  }
  return turns;
}

/**
 * Answers `parent` in a new assistant message that is written as it streams: created first (status streaming),
 * its text saved at most `flushMs` apart, and finished as done, stopped (the user stopped it; the text so far
 * is kept) or failed (with the model's error). Writes go out one at a time, in order.
 */
export async function respond(o: RespondOptions): Promise<Answer> {
  const answer = await o.store.addMessage({
    conversation_id: o.conversationId,
    parent_id: o.parent.id,
    role: "assistant",
    content: "",
    status: "streaming",
    model: o.model,
    meta: o.meta ?? {},
  });
  o.onStart?.(answer);
  let turns = history(await o.store.messages(o.conversationId), o.parent, o.system);
  let text = "";
  let saved = "";
  let writing: Promise<void> = Promise.resolve();
  const save = (set: Parameters<ConversationStore["updateMessage"]>[1]) =>
    (writing = writing.then(() => o.store.updateMessage(answer.id, set)));
  const timer = setInterval(() => {
    if (text !== saved) {
      saved = text;
      void save({ content: text });
    }
  }, o.flushMs ?? 1000);
  let finishReason: string | undefined;
  try {
    for (let round = 0; ; round++) {
      const calls: ToolCall[] = [];
      let said = "";
      const offer = o.tools && round < MAX_TOOL_ROUNDS ? { tools: o.tools.definitions } : {};
      for await (const part of o.client.stream({ model: o.model, messages: turns, caller: o.caller, signal: o.signal, ...offer })) {
        if (part.type === "text") {
          said += part.text;
          text += part.text;
          o.onText?.(part.text);
        } else if (part.type === "tool-call") calls.push(part.call);
        else finishReason = part.reason;
      }
      if (!calls.length || !o.tools) break;
      // The model asked for skills: run them, hand it the results, and let it go on.
      const results = await Promise.all(
        calls.map(async (c) => ({ role: "tool" as const, tool_call_id: c.id, content: await o.tools!.run(c) })),
      );
      turns = [
        ...turns,
        {
          role: "assistant",
          content: said || null,
          tool_calls: calls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })),
        },
        ...results,
      ];
    }
    clearInterval(timer);
    await save({ content: text, status: "done", meta: { ...o.meta, ...o.tools?.meta(), ...(finishReason && { finishReason }) } });
    await writing;
    return { message: { ...answer, content: text, status: "done" }, status: "done", ...(finishReason && { finishReason }) };
  } catch (err) {
    clearInterval(timer);
    if (o.signal.aborted) {
      await save({ content: text, status: "stopped" });
      await writing;
      return { message: { ...answer, content: text, status: "stopped" }, status: "stopped" };
    }
    const e =
      err instanceof ModelError
        ? { status: err.status, message: err.message, ...(err.code && { code: err.code }) }
        : { status: 502, message: (err as Error).message };
    await save({ content: text, status: "failed", error: e.message });
    await writing;
    return { message: { ...answer, content: text, status: "failed", error: e.message }, status: "failed", error: e };
  }
}
