// Conversations (/v1/conversations): saved threads with branches, whose answers stream as server-sent events.
import {
  readEvents,
  type AnswerEvents as Events,
  type ConversationDetail,
  type FeedbackBody,
  type MessageBody,
  type MessageView,
} from "@benih/contracts";
import { call, eventData as parse, postForEvents } from "./http.ts";
import type { Conversation } from "./types.ts";

export const conversations = {
  list: () => call<{ data: Conversation[] }>("GET", "/v1/conversations").then((r) => r.data),
  search: (q: string) => call<{ data: Conversation[] }>("GET", `/v1/conversations/search?q=${encodeURIComponent(q)}`).then((r) => r.data),
  create: (model: string, agent?: string) => call<Conversation>("POST", "/v1/conversations", { model, ...(agent && { agent }) }),
  get: (id: string) => call<ConversationDetail>("GET", `/v1/conversations/${id}`),
  update: (id: string, set: { title?: string; model?: string; leaf?: string }) =>
    call<ConversationDetail>("PATCH", `/v1/conversations/${id}`, set),
  remove: (id: string) => call<void>("DELETE", `/v1/conversations/${id}`),
  /** The branch shown as Markdown, its headings in the UI language. */
  exportUrl: (id: string, lang: string) => `/v1/conversations/${id}/export?lang=${encodeURIComponent(lang)}`,
  /** Rates an answer (null takes the rating back); resolves with the message as saved. */
  rate: (id: string, messageId: string, body: FeedbackBody) =>
    call<MessageView>("PUT", `/v1/conversations/${id}/messages/${messageId}/feedback`, body),
};

/** A new message as the composer sends it: any skill by name, its options as collected. */
export type MessageRequest = Omit<MessageBody, "skill" | "options" | "model"> & {
  model: string;
  skill?: string;
  options?: Record<string, unknown>;
};

export interface AnswerEvents {
  /** The question as saved (a new message, not a regenerated answer). */
  onUser?: (m: Events["user"]) => void;
  onAnswer?: (a: Events["answer"]) => void;
  onText: (text: string) => void;
  /** A call to an MCP tool began, waits for the person's OK (`confirm` too), or ended. */
  onTool?: (call: Events["tool"]) => void;
}

/** How an answer ended; a stream that closes without saying is "stopped". */
export type AnswerEnd = Pick<Events["done"], "status" | "error">;

/** Sends a message, or with `regenerate` asks for another answer to that turn, and reads the answer as it streams. */
export async function streamAnswer(
  conversation: string,
  request: MessageRequest | { regenerate: string; model: string },
  on: AnswerEvents,
  signal: AbortSignal,
): Promise<AnswerEnd> {
  const path =
    "regenerate" in request
      ? `/v1/conversations/${conversation}/messages/${request.regenerate}/regenerate`
      : `/v1/conversations/${conversation}/messages`;
  const body = "regenerate" in request ? { model: request.model } : request;
  const events = await postForEvents(path, { headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
  for await (const { event, data } of readEvents(events)) {
    if (event === "user") on.onUser?.(parse(data));
    else if (event === "answer") on.onAnswer?.(parse(data));
    else if (event === "delta") on.onText(parse<{ text: string }>(data).text);
    else if (event === "tool") on.onTool?.(parse(data));
    else if (event === "confirm") on.onTool?.(parse<Events["confirm"]>(data).call);
    else if (event === "done") return parse(data);
  }
  return { status: "stopped" };
}
