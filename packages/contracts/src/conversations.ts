// The assistant's HTTP API (/v1/conversations, /v1/agents, /v1/translate/documents) as it is on the wire: the
// request bodies, the skills' options, what a message's `meta` holds, the views the routes return and the events
// an answer streams. The conversation and message views are the store's rows as they go out (snake_case:
// `parent_id`, `updated_at`); agents are camelCase. Browser-safe: zod only.
import { z } from "zod";

// --- Skills ------------------------------------------------------------------------------------------------------

import { memoryMeta } from "./memories.ts";
import { MAX_MESSAGE_IMAGES } from "./uploads.ts";
import { type SkillId, WRITING_TEMPLATES } from "./skill-ids.ts";

const imageSize = z.string().regex(/^\d{2,4}x\d{2,4}$/, "use WIDTHxHEIGHT, e.g. 1024x1024");

/** search: answers from the caller's documents (and benih's docs), citing them. */
export const searchOptions = z.strictObject({});
/** web: answers from a web search and the pages it finds, citing their links. */
export const webOptions = z.strictObject({});
/** translate: translates the message into `target`, using the glossary's translations exactly. */
export const translateOptions = z.strictObject({
  target: z.string({ error: "translate needs options.target: the language to translate into" }).min(2).max(40),
  glossary: z.record(z.string().min(1).max(100), z.string().max(200)).optional(),
});
/** write: applies a writing template to the message. */
export const writeOptions = z.strictObject({
  template: z.enum(WRITING_TEMPLATES, { error: `write needs options.template: ${WRITING_TEMPLATES.join(", ")}` }),
});
/** image: draws the message as a prompt, or with `edit` changes a kept image as the message says. */
export const imageOptions = z.strictObject({
  size: imageSize.optional(),
  seed: z.number().int().min(0).optional(),
  /** The id of a kept image to change. */
  edit: z.string().min(1).optional(),
});
/** video: starts a video job with the message as its prompt. */
export const videoOptions = z.strictObject({});

/** Each built-in skill's options, by skill id. */
export const skillOptions = {
  search: searchOptions,
  web: webOptions,
  translate: translateOptions,
  write: writeOptions,
  image: imageOptions,
  video: videoOptions,
} as const satisfies Record<SkillId, z.ZodType>;
export type SkillOptions<S extends SkillId = SkillId> = z.infer<(typeof skillOptions)[S]>;

/** A skill chosen for a message with its options, keyed by the skill's id. */
export const skillChoice = z.discriminatedUnion("skill", [
  z.object({ skill: z.literal("search"), options: searchOptions.optional() }),
  z.object({ skill: z.literal("web"), options: webOptions.optional() }),
  z.object({ skill: z.literal("translate"), options: translateOptions }),
  z.object({ skill: z.literal("write"), options: writeOptions }),
  z.object({ skill: z.literal("image"), options: imageOptions.optional() }),
  z.object({ skill: z.literal("video"), options: videoOptions.optional() }),
]);
export type SkillChoice = z.infer<typeof skillChoice>;

// --- Message metadata ----------------------------------------------------------------------------------------------

/** A document attached to a user message. */
export const attachment = z.object({ id: z.string(), title: z.string(), source: z.string() });
export type Attachment = z.infer<typeof attachment>;

/** A source an answer was given, cited in its text as [n]. */
export const citation = z.object({
  n: z.number().int(),
  documentId: z.string(),
  title: z.string(),
  source: z.string(),
  page: z.number().int().nullable(),
  /** The passage the answer was given. */
  excerpt: z.string(),
});
export type Citation = z.infer<typeof citation>;

/** An image kept and served to its owner at `url`: one an answer drew, or one the user uploaded (POST /v1/images/uploads). */
export const imageView = z.object({
  id: z.string(),
  url: z.string(),
  /** provider/model that drew it; `upload` for an image the user uploaded. */
  model: z.string(),
  size: z.string(),
  seed: z.number().int().nullable(),
});
export type ImageView = z.infer<typeof imageView>;

/** A video job as /v1/videos returns it and an answer holds it: where it stands, and its video once done. */
export const videoJobView = z.object({
  id: z.string(),
  object: z.literal("video.job"),
  created_at: z.number(),
  prompt: z.string(),
  model: z.string(),
  kind: z.enum(["generated", "slideshow"]),
  status: z.enum(["queued", "running", "succeeded", "failed"]),
  progress: z.number(),
  error: z.string().nullable(),
  content_url: z.string().nullable(),
});
export type VideoJobView = z.infer<typeof videoJobView>;

/** A call an answer made to a tool of an MCP server: what it was given, and what it gave back or why not. */
export const toolCallView = z.object({
  id: z.string(),
  server: z.string(),
  tool: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  /** What the model read back (at most 20,000 characters, said so when cut). */
  result: z.string().optional(),
  error: z.string().optional(),
  /** `awaiting_confirmation`: waiting for the person's OK; `declined`: they said no, or nothing in time. */
  status: z.enum(["awaiting_confirmation", "running", "done", "error", "declined"]),
});
export type ToolCallView = z.infer<typeof toolCallView>;

/**
 * A message's `meta`. A user message: the skill chosen, its options, the documents and images attached. An answer:
 * the skill that answered, what it cited, the images it drew or the video job it started, why the model stopped.
 * Keys it does not name are kept as they are.
 */
export const messageMeta = z.looseObject({
  skill: z.string().optional(),
  /** The skill's options, as that skill's schema reads them. */
  options: z.record(z.string(), z.unknown()).optional(),
  attachments: z.array(attachment).optional(),
  citations: z.array(citation).optional(),
  /** A user message's images attached (the model sees them; the image skill changes the first); an answer's drawn. */
  images: z.array(imageView).optional(),
  video: videoJobView.optional(),
  finishReason: z.string().optional(),
  /**
   * An answer the model did not write, and why: `extracted`, the passages' sentences on the question quoted as
   * they are (the model's context could not hold them, or its card says it does not follow instructions);
   * `needs_larger_model`, the skill needs more context than the model has (`needed` tokens at least,
   * `contextLength` it has), or with `reason: "instructions"` a model that follows a skill's instructions, or with
   * `skill: "vision"`, the message has images and the model cannot see them; `nothing_found`, the sources had
   * nothing on the question and the model was too small to be told so. Clients say it in their own language.
   */
  notice: z
    .object({
      code: z.enum(["extracted", "needs_larger_model", "nothing_found"]),
      skill: z.string().optional(),
      contextLength: z.number().int().optional(),
      needed: z.number().int().optional(),
      reason: z.literal("instructions").optional(),
    })
    .optional(),
  /** A failed answer's error code (`context_length_exceeded`, `rate_limit_exceeded`, …), for clients to explain it. */
  errorCode: z.string().optional(),
  /** What the answer remembered, forgot or used of the person's memories. */
  memory: memoryMeta.optional(),
  /** The MCP tools the answer's model called, in order. */
  toolCalls: z.array(toolCallView).optional(),
});
export type MessageMeta = z.infer<typeof messageMeta>;

// --- Views ---------------------------------------------------------------------------------------------------------

export const conversationView = z.object({
  id: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
  /** The API key id that owns it; null on a server without keys. */
  owner: z.string().nullable(),
  title: z.string(),
  model: z.string(),
  agent: z.string().nullable(),
  /** The last message of the branch shown. */
  leaf: z.string().nullable(),
});
export type ConversationView = z.infer<typeof conversationView>;

/** A conversation found by /v1/conversations/search, with the first message that matched. */
export const conversationMatch = conversationView.extend({ match: z.string().nullable() });
export type ConversationMatch = z.infer<typeof conversationMatch>;

export const messageStatus = z.enum(["done", "streaming", "stopped", "failed", "interrupted"]);
export type MessageStatus = z.infer<typeof messageStatus>;

export const messageView = z.object({
  id: z.string(),
  conversation_id: z.string(),
  /** The message this one answers or follows; siblings are branches (edits, regenerations). */
  parent_id: z.string().nullable(),
  seq: z.number(),
  created_at: z.number(),
  updated_at: z.number(),
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  status: messageStatus,
  model: z.string().nullable(),
  error: z.string().nullable(),
  meta: messageMeta,
  /** The reader's rating of an answer; null when unrated (and always for questions). */
  feedback: z.enum(["up", "down"]).nullable(),
  /** The ids of this message and its siblings, in order of writing. */
  siblings: z.array(z.string()),
});
export type MessageView = z.infer<typeof messageView>;

/** GET and PATCH /v1/conversations/:id: every message of every branch, and the branch shown. */
export const conversationDetail = z.object({
  conversation: conversationView,
  messages: z.array(messageView),
  /** Ids of the branch shown, first to last. */
  thread: z.array(z.string()),
});
export type ConversationDetail = z.infer<typeof conversationDetail>;

export const agentView = z.object({
  id: z.string(),
  builtIn: z.boolean(),
  /** By locale (built-in agents) or one name (the user's own). */
  name: z.union([z.record(z.string(), z.string()), z.string()]),
  instructions: z.string(),
  /** null: the market's default chat model. */
  model: z.string().nullable(),
  skills: z.array(z.string()),
  starters: z.array(z.string()),
  /** Its skills that can be tools are offered to the model, which calls them when it needs them. */
  toolUse: z.boolean(),
});
export type AgentView = z.infer<typeof agentView>;

// --- Request bodies ------------------------------------------------------------------------------------------------

export const createConversationBody = z.strictObject({
  title: z.string().max(200).optional(),
  model: z.string().min(1).optional(),
  agent: z.string().min(1).nullable().optional(),
});
export type CreateConversationBody = z.infer<typeof createConversationBody>;

export const updateConversationBody = z.strictObject({
  title: z.string().min(1).max(200).optional(),
  model: z.string().min(1).optional(),
  leaf: z.string().min(1).optional(),
});
export type UpdateConversationBody = z.infer<typeof updateConversationBody>;

export const regenerateBody = z.strictObject({ model: z.string().min(1).optional() });
export type RegenerateBody = z.infer<typeof regenerateBody>;

/** PUT /v1/conversations/:id/messages/:messageId/feedback: rate an answer (null takes the rating back). */
export const feedbackBody = z.strictObject({
  rating: z.enum(["up", "down"]).nullable(),
  /** What was wrong or right, in the reader's words. */
  comment: z.string().max(2000).optional(),
});
export type FeedbackBody = z.infer<typeof feedbackBody>;

/** GET /v1/feedback (admins): a rated answer with the question it answered. */
export const feedbackView = z.object({
  conversation_id: z.string(),
  message_id: z.string(),
  rating: z.enum(["up", "down"]),
  comment: z.string().nullable(),
  rated_at: z.number(),
  model: z.string().nullable(),
  question: z.string(),
  answer: z.string(),
});
export type FeedbackView = z.infer<typeof feedbackView>;

/** A skill id in a request; the server says which it knows when one is not among them. */
const skillName = z.string().min(1).max(40);

/**
 * POST /v1/conversations/:id/messages, fields in this order. `skill` and `options` are checked against the
 * server's skills (see `skillChoice` for the built-in ones).
 */
export const messageBody = z.strictObject({
  content: z.string().min(1, "write something").max(100_000),
  /** The message this one follows: the current leaf when left out; an earlier user message's parent to edit it. */
  parentId: z.string().min(1).nullable().optional(),
  model: z.string().min(1).optional(),
  /** A skill chosen for this message, run with `options`. */
  skill: skillName.optional(),
  /** Documents uploaded with this message (knowledge base ids): the answer is grounded on them and cites them. */
  attachments: z.array(z.string().min(1)).max(10).optional(),
  /** Images kept for the caller (POST /v1/images/uploads ids): the model sees them; the image skill changes the first. */
  images: z.array(z.string().min(1)).max(MAX_MESSAGE_IMAGES).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
/** What a client sends: with a built-in skill, its options as that skill takes them. */
export type MessageBody = Omit<z.input<typeof messageBody>, "skill" | "options"> &
  ({ skill?: undefined; options?: undefined } | SkillChoice);

const agentFields = z.strictObject({
  name: z.string().trim().min(1).max(80),
  instructions: z.string().max(8000),
  model: z.string().min(1).nullable(),
  /** Built-in skills by id, and MCP tools as `mcp:<server>/<tool>` (GET /v1/mcp/tools lists them). */
  skills: z.array(z.string().min(1).max(120)).max(12),
  starters: z.array(z.string().min(1).max(300)).max(6),
  /** Offer its skills that can be tools to the model, which calls them itself (the model must support tool calling). */
  toolUse: z.boolean(),
});
/** POST /v1/agents: a name is all it needs. */
export const agentBody = agentFields.extend({
  instructions: agentFields.shape.instructions.default(""),
  model: agentFields.shape.model.default(null),
  skills: agentFields.shape.skills.default([]),
  starters: agentFields.shape.starters.default([]),
  toolUse: agentFields.shape.toolUse.default(false),
});
export type AgentBody = z.input<typeof agentBody>;
/** PATCH /v1/agents/:id: what changes. */
export const agentPatch = agentFields.partial();
export type AgentPatch = z.infer<typeof agentPatch>;

/** POST /v1/conversations/:id/messages/:messageId/tool-calls/:callId: the person's answer to a call waiting for it. */
export const toolCallDecisionBody = z.strictObject({ approve: z.boolean() });
export type ToolCallDecisionBody = z.infer<typeof toolCallDecisionBody>;

// --- Server-sent events ------------------------------------------------------------------------------------------

/** The error an answer failed with: the model's status and message. */
export const answerError = z.object({ status: z.number(), message: z.string(), code: z.string().optional() });
export type AnswerError = z.infer<typeof answerError>;

/**
 * The events of a streamed answer (POST …/messages and …/regenerate), in order: `user` (the message posted, only
 * when new), `answer` (the answer begins), `delta` (its text, piece by piece; between them `tool` and `confirm`
 * for the MCP tools a tool-using agent calls), `done` (how it ended). A failure once the stream has begun ends it
 * with `done` { status: "failed", error }.
 */
export const answerEvents = {
  user: messageView,
  answer: z.object({ id: z.string(), parent_id: z.string().nullable(), model: z.string().nullable(), meta: messageMeta }),
  delta: z.object({ text: z.string() }),
  /** A call to an MCP tool began, waits for the person, or ended (an agent that uses tools). */
  tool: toolCallView,
  /**
   * A call waits for the person's OK: POST …/messages/{answer}/tool-calls/{call.id} { approve } within
   * `expiresInSeconds`, or it counts as declined.
   */
  confirm: z.object({ call: toolCallView, expiresInSeconds: z.number() }),
  done: z.object({
    id: z.string(),
    status: z.enum(["done", "stopped", "failed"]),
    /** The answer's meta as kept: it can differ from the start's (the model's context could not hold the prompt after all). */
    meta: messageMeta.optional(),
    finishReason: z.string().optional(),
    error: answerError.optional(),
  }),
};
export type AnswerEvents = { [E in keyof typeof answerEvents]: z.infer<(typeof answerEvents)[E]> };
export type AnswerEvent = { [E in keyof AnswerEvents]: { event: E; data: AnswerEvents[E] } }[keyof AnswerEvents];

/** The events of POST /v1/translate/documents: `progress` per piece, then `done` with the translation, or `error`. */
export const documentTranslationEvents = {
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  done: z.object({ name: z.string(), markdown: z.string() }),
  error: answerError,
};
export type DocumentTranslationEvents = { [E in keyof typeof documentTranslationEvents]: z.infer<(typeof documentTranslationEvents)[E]> };
