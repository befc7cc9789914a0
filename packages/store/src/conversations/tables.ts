export interface ConversationsTable {
  id: string;
  created_at: number;
  updated_at: number;
  /** The API key that owns it; null on a server without keys. */
  owner: string | null;
  title: string;
  model: string;
  agent: string | null;
  /** The last message of the branch shown. */
  leaf: string | null;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  /** The message this one answers or follows; siblings are branches (edits, regenerations). */
  parent_id: string | null;
  /** Order of writing within the conversation. */
  seq: number;
  created_at: number;
  updated_at: number;
  /** user | assistant */
  role: string;
  content: string;
  /** done | streaming | stopped | failed | interrupted */
  status: string;
  model: string | null;
  error: string | null;
  /** JSON: attachments, citations, usage. */
  meta: string;
  /** The reader's rating of an answer: up | down; null while unrated. */
  feedback: string | null;
  feedback_comment: string | null;
  /** When it was rated. */
  feedback_at: number | null;
}

/** This domain's part of the store's `Database`. */
export interface ConversationsTables {
  conversations: ConversationsTable;
  messages: MessagesTable;
  answer_stops: AnswerStopsTable;
  tool_call_waits: ToolCallWaitsTable;
}

/** A stop asked for an answer while it streams (on whichever instance). */
export interface AnswerStopsTable {
  message_id: string;
  at: number;
}

/** A tool call of an answer waiting for its owner's OK (on whichever instance streams the answer). */
export interface ToolCallWaitsTable {
  message_id: string;
  call_id: string;
  /** Who may decide: the conversation's owner (null on a server without keys). */
  owner: string | null;
  /** After this (epoch ms) a decision comes too late. */
  expires_at: number;
  /** approve | decline; null while the person has not decided. */
  decision: string | null;
}
