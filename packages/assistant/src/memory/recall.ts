import { MAX_MEMORIES, MAX_MEMORY_CHARS, type MemoryMeta } from "@benih/contracts";
import { scopeOf } from "@benih/gateway";
import { MemoryLimitError, type Memory, type MemoryStore, type Message } from "@benih/store";
import type { FastifyRequest } from "fastify";
import { ownerOf } from "../http.ts";
import { memoryIntent } from "./intent.ts";
import { closestMemory, rankMemories } from "./rank.ts";

/** Where the assistant keeps memories: the request's market's store. */
export interface MemoryServices {
  memoriesFor?(request: FastifyRequest): MemoryStore;
}

/**
 * What memory does for one question: the meta it leaves on the answer, what the model is told of a request to
 * remember or forget (`notes`), and the memories to offer it, most relevant first (none while memory is off).
 */
export interface MemoryRecall {
  meta: MemoryMeta;
  notes: string[];
  ranked: Memory[];
}

const same = (a: string, b: string) => a.normalize("NFKC").toLowerCase().trim() === b.normalize("NFKC").toLowerCase().trim();

/**
 * Does what the question asks of memory before it is answered (remembers or forgets the fact it states; answering
 * the same question again does not remember it twice) and ranks the person's memories for it. Memory off: nothing
 * is remembered or offered, while a "forget that …" still deletes. A fact the market's content policy blocks is not
 * kept (the gateway refuses the question itself).
 */
/**
 * Whether the market's policy lets a fact be kept: none of its blocked terms and, where it has one, its moderation
 * model's approval (a moderation model that cannot answer keeps nothing). Saved before the question is moderated,
 * a flagged fact would otherwise go into every later prompt it ranks into.
 */
async function keepable(request: FastifyRequest, fact: string): Promise<boolean> {
  const scope = scopeOf(request);
  if (scope.scan(fact)) return false;
  if (!scope.moderate) return true;
  return !(await scope.moderate(fact, AbortSignal.timeout(15_000)).catch(() => true));
}

export async function recallMemories(
  o: MemoryServices,
  request: FastifyRequest,
  question: Message,
  conversationId: string,
): Promise<MemoryRecall | undefined> {
  if (!o.memoriesFor) return undefined;
  const store = o.memoriesFor(request);
  const owner = ownerOf(request);
  const [on, mine] = await Promise.all([store.enabled(owner), store.list(owner)]);
  const intent = memoryIntent(question.content);
  const meta: MemoryMeta = {};
  const notes: string[] = [];
  let kept = mine;
  if (intent?.kind === "remember" && !on) {
    meta.off = true;
    notes.push("Memory is off for this user, so nothing was saved. Tell them they can turn it on in Settings → Memory.");
  } else if (intent?.kind === "remember" && intent.fact.length > MAX_MEMORY_CHARS) {
    meta.tooLong = true;
    notes.push(
      `The user asked you to remember something longer than ${MAX_MEMORY_CHARS} characters; nothing was saved. Ask for a shorter version.`,
    );
  } else if (intent?.kind === "remember" && (await keepable(request, intent.fact))) {
    const known = mine.find((m) => same(m.content, intent.fact));
    try {
      const m = known ?? (await store.add(owner, intent.fact, { limit: MAX_MEMORIES, conversation: conversationId, message: question.id }));
      meta.remembered = { id: m.id, content: m.content };
      kept = mine.filter((x) => x.id !== m.id);
      notes.push(`Saved to the user's memory, as they asked: "${m.content}". Confirm it briefly.`);
    } catch (err) {
      if (!(err instanceof MemoryLimitError)) throw err;
      meta.full = true;
      notes.push(`The user's memory is full (${MAX_MEMORIES} memories), so nothing was saved. They can delete some in Settings → Memory.`);
    }
  } else if (intent?.kind === "forget") {
    const m = closestMemory(intent.fact, mine);
    if (m && (await store.delete(m.id, owner))) {
      meta.forgotten = { id: m.id, content: m.content };
      kept = mine.filter((x) => x.id !== m.id);
      notes.push(`Deleted from the user's memory, as they asked: "${m.content}". Confirm it briefly.`);
    } else {
      meta.notFound = true;
      notes.push(
        "The user asked you to forget something, but no saved memory matches it. Say so; they can see every memory in Settings → Memory.",
      );
    }
  }
  return { meta, notes, ranked: on ? rankMemories(question.content, kept) : [] };
}
