import { randomUUID } from "node:crypto";
import { sql, type Kysely, type Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { ConversationsTable, MessagesTable } from "./tables.ts";

export type Conversation = Selectable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type MessageStatus = "done" | "streaming" | "stopped" | "failed" | "interrupted";
export type Rating = "up" | "down";

/** A rated answer with the question it answered, for an admin reading what readers thought. */
export interface RatedAnswer {
  conversation_id: string;
  message_id: string;
  rating: Rating;
  comment: string | null;
  rated_at: number;
  model: string | null;
  question: string;
  answer: string;
}

/** How long past its time a tool call's wait is kept when no instance ended it (its instance went away). */
const STALE_WAIT_MS = 60_000;

const decisionOf = (d: string | null | undefined): boolean | undefined => (d === "approve" ? true : d === "decline" ? false : undefined);

/** `owner` is an API key id, or null on a server without keys: every query is limited to its owner's rows. */
export class ConversationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(c: { owner: string | null; title: string; model: string; agent?: string | null }, at = Date.now()): Promise<Conversation> {
    const row: Conversation = {
      id: `conv-${randomUUID()}`,
      created_at: at,
      updated_at: at,
      owner: c.owner,
      title: c.title,
      model: c.model,
      agent: c.agent ?? null,
      leaf: null,
    };
    await this.db.insertInto("conversations").values(row).execute();
    return row;
  }

  private owned(owner: string | null) {
    return this.db
      .selectFrom("conversations")
      .selectAll()
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)));
  }

  get(id: string, owner: string | null): Promise<Conversation | undefined> {
    return this.owned(owner).where("id", "=", id).executeTakeFirst();
  }

  /** Newest first; `before` (an updated_at) pages on. */
  list(owner: string | null, o: { limit?: number; before?: number } = {}): Promise<Conversation[]> {
    let q = this.owned(owner)
      .orderBy("updated_at", "desc")
      .orderBy("id")
      .limit(o.limit ?? 50);
    if (o.before !== undefined) q = q.where("updated_at", "<", o.before);
    return q.execute();
  }

  /** Changes title, model or agent; returns false when the conversation is not the owner's. */
  async update(
    id: string,
    owner: string | null,
    set: Partial<Pick<Conversation, "title" | "model" | "agent" | "leaf">>,
    at = Date.now(),
  ): Promise<boolean> {
    const r = await this.db
      .updateTable("conversations")
      .set({ ...set, updated_at: at })
      .where("id", "=", id)
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async delete(id: string, owner: string | null): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const own = await tx
        .selectFrom("conversations")
        .select("id")
        .where("id", "=", id)
        .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
        .executeTakeFirst();
      if (!own) return false;
      await tx.deleteFrom("messages").where("conversation_id", "=", id).execute();
      await tx.deleteFrom("conversations").where("id", "=", id).execute();
      return true;
    });
  }

  /** Adds a message under `parent_id` and makes it the conversation's leaf, in one transaction. */
  async addMessage(
    m: {
      conversation_id: string;
      parent_id: string | null;
      role: string;
      content: string;
      status: MessageStatus;
      model?: string | null;
      meta?: object;
    },
    at = Date.now(),
  ): Promise<Message> {
    return this.db.transaction().execute(async (tx) => {
      const last = await tx
        .selectFrom("messages")
        .select((eb) => eb.fn.max<number>("seq").as("seq"))
        .where("conversation_id", "=", m.conversation_id)
        .executeTakeFirst();
      const row: Message = {
        id: `msg-${randomUUID()}`,
        conversation_id: m.conversation_id,
        parent_id: m.parent_id,
        seq: Number(last?.seq ?? 0) + 1,
        created_at: at,
        updated_at: at,
        role: m.role,
        content: m.content,
        status: m.status,
        model: m.model ?? null,
        error: null,
        meta: JSON.stringify(m.meta ?? {}),
        feedback: null,
        feedback_comment: null,
        feedback_at: null,
      };
      await tx.insertInto("messages").values(row).execute();
      await tx.updateTable("conversations").set({ leaf: row.id, updated_at: at }).where("id", "=", m.conversation_id).execute();
      return row;
    });
  }

  /**
   * Asks for the answer `id` to stop, if it is still streaming; false if it is not (it ended, or is no answer of
   * this store). The instance streaming it finds the request at its next write (see `stopRequested`).
   */
  async requestStop(id: string, at = Date.now()): Promise<boolean> {
    const streaming = await this.db
      .selectFrom("messages")
      .select("id")
      .where("id", "=", id)
      .where("status", "=", "streaming")
      .executeTakeFirst();
    if (!streaming) return false;
    await this.db
      .insertInto("answer_stops")
      .values({ message_id: id, at })
      .onConflict((oc) => oc.column("message_id").doNothing())
      .execute();
    return true;
  }

  async stopRequested(id: string): Promise<boolean> {
    return !!(await this.db.selectFrom("answer_stops").select("message_id").where("message_id", "=", id).executeTakeFirst());
  }

  /** The answer ended: its stop request, if any, is done with. */
  async clearStop(id: string): Promise<void> {
    await this.db.deleteFrom("answer_stops").where("message_id", "=", id).execute();
  }

  /**
   * A tool call of the answer `w.messageId` waits for `w.owner`'s OK until `w.expiresAt` (see `decideToolCall`).
   * Waits left behind by an instance that went away, a minute past their time, go with it.
   */
  async waitForToolCall(w: { messageId: string; callId: string; owner: string | null; expiresAt: number }, at = Date.now()): Promise<void> {
    await this.db
      .deleteFrom("tool_call_waits")
      .where("expires_at", "<", at - STALE_WAIT_MS)
      .execute();
    await this.db
      .insertInto("tool_call_waits")
      .values({ message_id: w.messageId, call_id: w.callId, owner: w.owner, expires_at: w.expiresAt, decision: null })
      .execute();
  }

  /**
   * Records `owner`'s decision on the call, in one statement: only if it waits, undecided, before its time is up,
   * for `owner` (null is the owner on a server without keys). False when it does not.
   */
  async decideToolCall(messageId: string, callId: string, owner: string | null, approve: boolean, at = Date.now()): Promise<boolean> {
    const r = await this.db
      .updateTable("tool_call_waits")
      .set({ decision: approve ? "approve" : "decline" })
      .where("message_id", "=", messageId)
      .where("call_id", "=", callId)
      .where("decision", "is", null)
      .where("expires_at", ">", at)
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The decision on a waiting call: true approved, false declined; undefined while undecided, or when none waits. */
  async toolCallDecision(messageId: string, callId: string): Promise<boolean | undefined> {
    const row = await this.db
      .selectFrom("tool_call_waits")
      .select("decision")
      .where("message_id", "=", messageId)
      .where("call_id", "=", callId)
      .executeTakeFirst();
    return decisionOf(row?.decision);
  }

  /**
   * The wait is over: its row goes, and the decision it held (as `toolCallDecision`) comes back, taken in the same
   * statement, so that a decision is either taken here or refused to the person, never lost between the two.
   */
  async endToolCallWait(messageId: string, callId: string): Promise<boolean | undefined> {
    const row = await this.db
      .deleteFrom("tool_call_waits")
      .where("message_id", "=", messageId)
      .where("call_id", "=", callId)
      .returning("decision")
      .executeTakeFirst();
    return decisionOf(row?.decision);
  }

  /** Writes a message's text and state (a streaming answer's progress, or its end). */
  async updateMessage(
    id: string,
    set: { content?: string; status?: MessageStatus; error?: string | null; meta?: object },
    at = Date.now(),
  ): Promise<void> {
    const { meta, ...rest } = set;
    await this.db
      .updateTable("messages")
      .set({ ...rest, ...(meta && { meta: JSON.stringify(meta) }), updated_at: at })
      .where("id", "=", id)
      .execute();
  }

  /**
   * Rates an answer of the conversation (null takes the rating back, and its comment with it); false when
   * `messageId` is not an answer of that conversation. The caller checks the conversation is the reader's.
   */
  async rate(conversationId: string, messageId: string, rating: Rating | null, comment: string | null, at = Date.now()): Promise<boolean> {
    const r = await this.db
      .updateTable("messages")
      .set(
        rating
          ? { feedback: rating, feedback_comment: comment, feedback_at: at }
          : { feedback: null, feedback_comment: null, feedback_at: null },
      )
      .where("id", "=", messageId)
      .where("conversation_id", "=", conversationId)
      .where("role", "=", "assistant")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Rated answers of every owner, newest rating first, with their questions; `rating` keeps one kind. */
  async ratings(o: { rating?: Rating; limit?: number } = {}): Promise<RatedAnswer[]> {
    let q = this.db
      .selectFrom("messages as a")
      .leftJoin("messages as q", "q.id", "a.parent_id")
      .select([
        "a.conversation_id",
        "a.id as message_id",
        "a.feedback",
        "a.feedback_comment",
        "a.feedback_at",
        "a.model",
        "q.content as question",
        "a.content as answer",
      ])
      .where("a.feedback", "is not", null)
      .orderBy("a.feedback_at", "desc")
      .orderBy("a.id")
      .limit(o.limit ?? 50);
    if (o.rating) q = q.where("a.feedback", "=", o.rating);
    return (await q.execute()).map((r) => ({
      conversation_id: r.conversation_id,
      message_id: r.message_id,
      rating: r.feedback as Rating,
      comment: r.feedback_comment,
      rated_at: Number(r.feedback_at),
      model: r.model,
      question: r.question ?? "",
      answer: r.answer,
    }));
  }

  /** Every message of a conversation, every branch, in the order they were written. */
  messages(conversationId: string): Promise<Message[]> {
    return this.db.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId).orderBy("seq").execute();
  }

  /**
   * Conversations of `owner` whose title or any message contains `query` (case-insensitive), newest first,
   * with the first matching message's text.
   */
  async search(owner: string | null, query: string, limit = 20): Promise<Array<Conversation & { match: string | null }>> {
    const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = (col: string) => sql<boolean>`lower(${sql.ref(col)}) like ${pattern} escape '\\'`;
    const rows = await this.owned(owner)
      .where((eb) =>
        eb.or([
          like("conversations.title"),
          eb.exists(
            eb
              .selectFrom("messages")
              .select("messages.id")
              .whereRef("messages.conversation_id", "=", "conversations.id")
              .where(like("messages.content")),
          ),
        ]),
      )
      .orderBy("updated_at", "desc")
      .limit(limit)
      .execute();
    const out: Array<Conversation & { match: string | null }> = [];
    for (const r of rows) {
      const m = await this.db
        .selectFrom("messages")
        .select("content")
        .where("conversation_id", "=", r.id)
        .where(like("content"))
        .orderBy("seq")
        .limit(1)
        .executeTakeFirst();
      out.push({ ...r, match: m?.content ?? null });
    }
    return out;
  }

  /**
   * Answers still "streaming" that were cut off (the server streaming them died) become "interrupted": all of them
   * (a store no other instance shares, at start-up), or those not written since `staleBefore` (a streaming answer is
   * written at least every few seconds by the instance streaming it).
   */
  async interruptStreaming(at = Date.now(), staleBefore?: number): Promise<number> {
    let q = this.db.updateTable("messages").set({ status: "interrupted", updated_at: at }).where("status", "=", "streaming");
    if (staleBefore !== undefined) q = q.where("updated_at", "<", staleBefore);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
