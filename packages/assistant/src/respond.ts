import type { AnswerError, AnswerEvents, MessageMeta } from "@benih/contracts";
import { traced, type TraceSpan } from "@benih/gateway";
import type { ConversationStore, Message } from "@benih/store";
import { turnTokens, type TokenCount } from "./context-budget.ts";
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
/** Tool calls run in one round; the model is told to call fewer past it (each result goes into its context). */
const MAX_TOOL_CALLS_PER_ROUND = 8;

/** How often a streaming answer is written at least, so that one no instance writes any more is known to be cut off. */
export const STREAM_TOUCH_MS = 10_000;

export interface RespondOptions {
  store: ConversationStore;
  client: ModelClient;
  conversationId: string;
  /** The user message being answered. */
  parent: Message;
  model: string;
  caller: Caller;
  /**
   * Aborted (which aborts `signal`, of which it must be part) when a stop for this answer is found in the store at
   * one of its writes: a stop asked on another instance whose signal did not arrive.
   */
  stop?: AbortController;
  /** The span of this answer (tracing on): its store writes are spans under it. */
  span?: TraceSpan;
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
  /** Tokens the prompt may take (the model's context less room to answer): older turns are left out to fit. */
  budget?: HistoryBudget;
  /** The question's images, as data URLs: the model sees them with its text. */
  images?: string[];
  /**
   * The answer to give instead when the model refuses the prompt before saying anything, as longer than its
   * context or (with images) as something it cannot take (given the model's message and error code), or when its
   * whole answer fails `keepIf` (given ""): a done answer, not a failed one.
   */
  fallback?: (refusal: string, code?: string) => { content: string; meta: MessageMeta };
  /** With a `fallback`: the answer is held back until whole, and given only if it passes; else the fallback's is. */
  keepIf?: (answer: string) => boolean;
}

/** Tokens a prompt may take, counted as the model counts them. */
export interface HistoryBudget {
  tokens: number;
  count: TokenCount;
}

export interface Answer {
  message: Message;
  status: AnswerEvents["done"]["status"];
  /** The answer's meta as kept. */
  meta: MessageMeta;
  finishReason?: string;
  error?: AnswerError;
}

/**
 * What the model sees: the branch down to the question; answers that failed carry nothing. With a `budget` (in
 * tokens), the newest turns that fit in it with the system turn, the question always among them.
 */
export function history(messages: readonly Message[], parent: Message, system?: string, budget?: HistoryBudget): ChatTurn[] {
  const turns: Array<{ role: "user" | "assistant"; content: string }> = [];
  for (const m of branch(messages, parent.id)) {
    if (m.role !== "user" && m.role !== "assistant") continue;
    if (m.role === "assistant" && (m.status === "failed" || !m.content)) continue;
    turns.push({ role: m.role, content: m.content });
  }
  let from = 0;
  if (budget) {
    const { tokens, count } = budget;
    let used = system ? turnTokens(system, count) : 0;
    from = turns.length;
    while (from > 0 && (from === turns.length || used + turnTokens(turns[from - 1]!.content, count) <= tokens))
      used += turnTokens(turns[--from]!.content, count);
    while (from < turns.length - 1 && turns[from]!.role !== "user") from++;
  }
  return [...(system ? [{ role: "system" as const, content: system }] : []), ...turns.slice(from)];
}

/**
 * Answers `parent` in a new assistant message that is written as it streams: created first (status streaming),
 * its text saved at most `flushMs` apart, and finished as done, stopped (the user stopped it; the text so far
 * is kept) or failed (with the model's error). Writes go out one at a time, in order.
 */
export async function respond(o: RespondOptions): Promise<Answer> {
  const write = <T>(work: () => Promise<T>) => traced(o.span, "store.write messages", work, { "db.collection.name": "messages" });
  const answer = await write(() =>
    o.store.addMessage({
      conversation_id: o.conversationId,
      parent_id: o.parent.id,
      role: "assistant",
      content: "",
      status: "streaming",
      model: o.model,
      meta: o.meta ?? {},
    }),
  );
  o.onStart?.(answer);
  let turns = history(await o.store.messages(o.conversationId), o.parent, o.system, o.budget);
  if (o.images?.length)
    turns = [
      ...turns.slice(0, -1),
      {
        role: "user",
        content: [{ type: "text", text: o.parent.content }, ...o.images.map((url) => ({ type: "image_url" as const, image_url: { url } }))],
      },
    ];
  let text = "";
  let saved = "";
  let writing: Promise<void> = Promise.resolve();
  const save = (set: Parameters<ConversationStore["updateMessage"]>[1]) =>
    (writing = writing.then(() => write(() => o.store.updateMessage(answer.id, set))));
  /** What of the answer so far may be seen: nothing of one held back until it passes `keepIf`. */
  const shown = () => (o.keepIf && !o.keepIf(text) ? "" : text);
  /** The fallback's answer, given instead of the model's. */
  const instead = async (a: { content: string; meta: MessageMeta }): Promise<Answer> => {
    o.onText?.(a.content);
    await save({ content: a.content, status: "done", meta: a.meta });
    await writing;
    return { message: { ...answer, content: a.content, status: "done" }, status: "done", meta: a.meta };
  };
  // Written when the text grew, and at least every STREAM_TOUCH_MS even while the model is silent: an answer no
  // instance writes any more was cut off (see interruptStreaming).
  let savedAt = Date.now();
  const timer = setInterval(() => {
    if (text !== saved || Date.now() - savedAt >= STREAM_TOUCH_MS) {
      saved = text;
      savedAt = Date.now();
      void save({ content: shown() });
      if (o.stop)
        writing = writing.then(async () => {
          if (await o.store.stopRequested(answer.id)) o.stop!.abort();
        });
    }
  }, o.flushMs ?? 1000);
  let finishReason: string | undefined;
  // A model that cannot call tools is asked again without them: an agent's tools are an offer, not a demand.
  let toolsRefused = false;
  try {
    for (let round = 0; ; round++) {
      const calls: ToolCall[] = [];
      let said = "";
      const offer = o.tools && !toolsRefused && round < MAX_TOOL_ROUNDS ? { tools: o.tools.definitions } : {};
      try {
        for await (const part of o.client.stream({ model: o.model, messages: turns, caller: o.caller, signal: o.signal, ...offer })) {
          if (part.type === "text") {
            said += part.text;
            text += part.text;
            if (!o.keepIf) o.onText?.(part.text);
          } else if (part.type === "tool-call") calls.push(part.call);
          else finishReason = part.reason;
        }
      } catch (err) {
        if (!("tools" in offer) || said || !(err instanceof ModelError) || err.code !== "unsupported_by_model") throw err;
        toolsRefused = true;
        round--;
        continue;
      }
      if (!calls.length || !o.tools) break;
      // The model asked for skills: run them, hand it the results, and let it go on.
      const results = await Promise.all(
        calls.map(async (c, i) => ({
          role: "tool" as const,
          tool_call_id: c.id,
          content:
            i < MAX_TOOL_CALLS_PER_ROUND
              ? await o.tools!.run(c)
              : `error: not run; at most ${MAX_TOOL_CALLS_PER_ROUND} tool calls are run at a time, call fewer`,
        })),
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
    if (o.keepIf && o.fallback && !o.keepIf(text)) {
      const fallback = o.fallback("", undefined);
      return await instead({ ...fallback, meta: { ...fallback.meta, ...o.tools?.meta() } });
    }
    if (o.keepIf) o.onText?.(text);
    const meta = { ...o.meta, ...o.tools?.meta(), ...(finishReason && { finishReason }) };
    await save({ content: text, status: "done", meta });
    await writing;
    return { message: { ...answer, content: text, status: "done" }, status: "done", meta, ...(finishReason && { finishReason }) };
  } catch (err) {
    clearInterval(timer);
    // The tools already called stay on record (an approved call that changed something above all).
    const called = { ...o.meta, ...o.tools?.meta() };
    if (o.signal.aborted) {
      await save({ content: shown(), status: "stopped", meta: called });
      await writing;
      return { message: { ...answer, content: shown(), status: "stopped" }, status: "stopped", meta: called };
    }
    const refused =
      err instanceof ModelError && (err.code === "context_length_exceeded" || (!!o.images?.length && err.code === "unsupported_by_model"));
    if (o.fallback && !text && refused) return await instead(o.fallback(err.message, err.code));
    const e =
      err instanceof ModelError
        ? { status: err.status, message: err.message, ...(err.code && { code: err.code }) }
        : { status: 502, message: (err as Error).message };
    // The error's code stays with the answer, so clients can explain it in their reader's language.
    const meta = { ...called, ...("code" in e && { errorCode: e.code }) };
    await save({ content: shown(), status: "failed", error: e.message, meta });
    await writing;
    return { message: { ...answer, content: shown(), status: "failed", error: e.message }, status: "failed", meta, error: e };
  }
}
