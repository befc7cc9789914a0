import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const conversationsMigrations: Record<string, Migration> = {
  // The assistant's conversations. Messages form a tree (parent_id): editing a message or regenerating an answer
  // adds a sibling, so older branches are kept; `leaf` is the end of the branch the user looks at. An answer is
  // written while it streams (status "streaming", content growing); one still "streaming" when the server starts
  // was cut off by a crash and is marked "interrupted", its text kept.
  "0005-conversations": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("conversations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("owner", "text")
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("model", "text", (c) => c.notNull())
        .addColumn("agent", "text")
        .addColumn("leaf", "text")
        .execute();
      await db.schema.createIndex("conversations_owner_updated").on("conversations").columns(["owner", "updated_at"]).execute();
      await db.schema
        .createTable("messages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id").onDelete("cascade"))
        .addColumn("parent_id", "text")
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("content", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("model", "text")
        .addColumn("error", "text")
        .addColumn("meta", "text", (c) => c.notNull().defaultTo("{}"))
        .execute();
      await db.schema.createIndex("messages_conversation_seq").on("messages").columns(["conversation_id", "seq"]).unique().execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("messages").execute();
      await db.schema.dropTable("conversations").execute();
    },
  },

  // Readers rate answers (thumbs up or down, with an optional comment) so an admin can see what the models get
  // wrong: the rating lives on the answer's row, null while unrated.
  "0012-message-feedback": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("messages").addColumn("feedback", "text").execute();
      await db.schema.alterTable("messages").addColumn("feedback_comment", "text").execute();
      await db.schema.alterTable("messages").addColumn("feedback_at", "bigint").execute();
      await db.schema.createIndex("messages_feedback_at").on("messages").column("feedback_at").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex("messages_feedback_at").execute();
      await db.schema.alterTable("messages").dropColumn("feedback_at").execute();
      await db.schema.alterTable("messages").dropColumn("feedback_comment").execute();
      await db.schema.alterTable("messages").dropColumn("feedback").execute();
    },
  },

  // "Stop" pressed on one instance for an answer streaming on another: the signal between them is a hint, the row
  // here is the request, which the streaming instance reads at each write of the answer.
  "0017-answer-stops": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("answer_stops")
        .addColumn("message_id", "text", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("answer_stops").execute();
    },
  },

  // A tool call waiting for the person's OK, on the instance streaming its answer: the OK may reach any instance,
  // which records it here (decision approve | decline) if the call still waits; the waiting instance reads it. The
  // row goes when the wait ends (decided, timed out, stopped).
  "0023-tool-call-waits": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("tool_call_waits")
        .addColumn("message_id", "text", (c) => c.notNull())
        .addColumn("call_id", "text", (c) => c.notNull())
        .addColumn("owner", "text")
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("decision", "text")
        .addPrimaryKeyConstraint("tool_call_waits_pk", ["message_id", "call_id"])
        .execute();
      await db.schema.createIndex("tool_call_waits_expires_at").on("tool_call_waits").column("expires_at").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("tool_call_waits").execute();
    },
  },
};
