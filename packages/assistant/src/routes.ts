import { access, GatewayError } from "@benih/gateway";
import type { AgentStore, ConversationStore, KnowledgeStore, Message } from "@benih/store";
import { BUILT_IN_AGENTS, fromStored, type Agent } from "./agents.ts";
import { translatePrompt, writingPrompt, type WritingTemplate } from "./skills/prompts.ts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { toMarkdown } from "./export.ts";
import { agentBody, agentPatch, createBody, messageBody, patchBody, regenerateBody } from "./schemas.ts";
import type { ModelClient } from "./model-client.ts";
import { callerOf } from "./caller.ts";
import { citationsOf, relevant, sourcesPrompt } from "./knowledge/sources.ts";
import { terms } from "./knowledge/terms.ts";
import { openEventStream } from "./event-stream.ts";
import { respond, type Answer } from "./respond.ts";
import { drawAndKeep, type ImageRoutesOptions } from "./images/routes.ts";
import { jobView, startVideoJob, type VideoRoutesOptions } from "./video/routes.ts";
import { webSources } from "./web/skill.ts";
import { skillTools } from "./skills/tools.ts";
import type { WebSearchConfig } from "./web/search.ts";
import { branch, newestLeafUnder, withSiblings } from "./thread.ts";

export interface AssistantRoutesOptions {
  /** The conversation store of the request's market (its data stays in that market's store). */
  storeFor(request: FastifyRequest): ConversationStore;
  /** The knowledge base of the request's market, for the search skill. */
  knowledgeFor(request: FastifyRequest): KnowledgeStore;
  /** The agents users made, in the request's market's store. */
  agentsFor(request: FastifyRequest): AgentStore;
  client: ModelClient;
  /** The model a new conversation uses when none is named: the market's default chat model. */
  defaultModel(request: FastifyRequest): Promise<string | undefined>;
  flushMs?: number;
  /** The web search provider for the web skill; without one the skill explains what to configure. */
  webSearch?: WebSearchConfig;
  /** Hosts the page fetcher may reach even though they resolve to private addresses. */
  fetchAllow?: readonly string[];
  /** Image models and where images are kept, for the image skill. */
  images: ImageRoutesOptions;
  /** Video models and jobs, for the video skill. */
  videos: VideoRoutesOptions;
}

/** What to set for the web skill, said where it is asked for without a provider. */
export const WEB_SEARCH_MISSING = "web search is not configured: set assistant.webSearch in benih.yaml ({ provider: searxng, baseURL: … } for your SearXNG, or brave, tavily or bing with an apiKey)";

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = issue.path.join(".") || null;
  throw new GatewayError(400, "invalid_request_error", `${param ?? "body"}: ${issue.message}`, "invalid_body", param);
}

const notFound = (what: string) => new GatewayError(404, "not_found_error", `${what} does not exist (or belongs to another key).`, "not_found");
const owner = (request: FastifyRequest) => request.principal?.keyId ?? null;
const titleFrom = (text: string) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 48 ? `${line.slice(0, 47)}…` : line;
};

/**
 * The assistant's conversations under /v1/conversations (behind the gateway's auth and market resolution):
 * list, create, search, read (every branch), rename, switch branch, delete, export as Markdown, and post or
 * regenerate a message, answered as server-sent events while the answer is saved as it streams.
 */
export function registerAssistantRoutes(app: FastifyInstance, o: AssistantRoutesOptions) {
  const conversation = async (request: FastifyRequest) => {
    const id = (request.params as { id: string }).id;
    const c = await o.storeFor(request).get(id, owner(request));
    if (!c) throw notFound(`Conversation ${id}`);
    return c;
  };
  const view = async (store: ConversationStore, id: string, leaf: string | null) => {
    const messages = await store.messages(id);
    return { messages: withSiblings(messages), thread: branch(messages, leaf).map((m) => m.id) };
  };

  /** An agent by id: built in, or one of the caller's. */
  const agentOf = async (request: FastifyRequest, id: string | null): Promise<Agent | undefined> => {
    if (!id) return undefined;
    const builtIn = BUILT_IN_AGENTS.find((a) => a.id === id);
    if (builtIn) return builtIn;
    const stored = await o.agentsFor(request).get(id, owner(request));
    return stored && fromStored(stored);
  };

  app.get("/v1/agents", access("person"), async (request) => ({ data: [...BUILT_IN_AGENTS, ...(await o.agentsFor(request).list(owner(request))).map(fromStored)] }));
  app.post("/v1/agents", access("person"), async (request, reply) => reply.code(201).send(fromStored(await o.agentsFor(request).create(owner(request), parse(agentBody, request.body)))));
  const editable = (request: FastifyRequest) => {
    const id = (request.params as { id: string }).id;
    if (BUILT_IN_AGENTS.some((a) => a.id === id)) throw new GatewayError(403, "permission_error", `${id} is a built-in agent: make your own instead (POST /v1/agents)`, "built_in_agent");
    return id;
  };
  app.patch("/v1/agents/:id", access("person"), async (request) => {
    const id = editable(request);
    const updated = await o.agentsFor(request).update(id, owner(request), parse(agentPatch, request.body));
    if (!updated) throw notFound(`Agent ${id}`);
    return fromStored(updated);
  });
  app.delete("/v1/agents/:id", access("person"), async (request, reply) => {
    const id = editable(request);
    if (!(await o.agentsFor(request).delete(id, owner(request)))) throw notFound(`Agent ${id}`);
    return reply.code(204).send();
  });

  app.get("/v1/conversations", access("person"), async (request) => {
    const q = request.query as { limit?: string; before?: string };
    const limit = Math.min(Math.max(Number(q.limit ?? 50) || 50, 1), 200);
    return { data: await o.storeFor(request).list(owner(request), { limit, ...(q.before && { before: Number(q.before) }) }) };
  });

  app.get("/v1/conversations/search", access("person"), async (request) => {
    const q = ((request.query as { q?: string }).q ?? "").trim();
    if (!q) throw new GatewayError(400, "invalid_request_error", "q: say what to look for", "invalid_query", "q");
    return { data: await o.storeFor(request).search(owner(request), q.slice(0, 200)) };
  });

  app.post("/v1/conversations", access("person"), async (request, reply) => {
    const body = parse(createBody, request.body);
    const agent = await agentOf(request, body.agent ?? null);
    if (body.agent && !agent) throw new GatewayError(400, "invalid_request_error", `agent: ${body.agent} does not exist (GET /v1/agents lists them)`, "invalid_agent", "agent");
    const model = body.model ?? agent?.model ?? (await o.defaultModel(request));
    if (!model) throw new GatewayError(400, "invalid_request_error", "model: this market offers no model; name one", "no_model", "model");
    const c = await o.storeFor(request).create({ owner: owner(request), title: body.title ?? "", model, agent: body.agent ?? null });
    return reply.code(201).send(c);
  });

  app.get("/v1/conversations/:id", access("person"), async (request) => {
    const c = await conversation(request);
    return { conversation: c, ...(await view(o.storeFor(request), c.id, c.leaf)) };
  });

  app.patch("/v1/conversations/:id", access("person"), async (request) => {
    const c = await conversation(request);
    const body = parse(patchBody, request.body);
    const store = o.storeFor(request);
    let leaf: string | undefined;
    if (body.leaf) {
      // Switching branch: to a message of this conversation, landing on the newest answer below it.
      const messages = await store.messages(c.id);
      if (!messages.some((m) => m.id === body.leaf)) throw new GatewayError(400, "invalid_request_error", `leaf: ${body.leaf} is not a message of this conversation`, "invalid_leaf", "leaf");
      leaf = newestLeafUnder(messages, body.leaf);
    }
    await store.update(c.id, owner(request), { ...(body.title && { title: body.title }), ...(body.model && { model: body.model }), ...(leaf && { leaf }) });
    const updated = (await store.get(c.id, owner(request)))!;
    return { conversation: updated, ...(await view(store, c.id, updated.leaf)) };
  });

  app.delete("/v1/conversations/:id", access("person"), async (request, reply) => {
    const c = await conversation(request);
    await o.storeFor(request).delete(c.id, owner(request));
    return reply.code(204).send();
  });

  app.get("/v1/conversations/:id/export", access("person"), async (request, reply) => {
    const c = await conversation(request);
    const messages = branch(await o.storeFor(request).messages(c.id), c.leaf);
    const name = (c.title || "conversation").replace(/[^\p{L}\p{N} ._-]+/gu, "").trim() || "conversation";
    return reply
      .type("text/markdown; charset=utf-8")
      .header("content-disposition", `attachment; filename="conversation.md"; filename*=UTF-8''${encodeURIComponent(name)}.md`)
      .send(toMarkdown(c, messages));
  });

  app.post("/v1/conversations/:id/messages", access("person"), async (request, reply) => {
    const c = await conversation(request);
    const body = parse(messageBody, request.body);
    if (body.skill === "web" && !o.webSearch) throw new GatewayError(400, "invalid_request_error", WEB_SEARCH_MISSING, "skill_not_configured", "skill");
    const store = o.storeFor(request);
    const parentId = body.parentId === undefined ? c.leaf : body.parentId;
    if (parentId) {
      const parent = (await store.messages(c.id)).find((m) => m.id === parentId);
      if (!parent) throw new GatewayError(400, "invalid_request_error", `parentId: ${parentId} is not a message of this conversation`, "invalid_parent", "parentId");
    }
    const model = body.model ?? c.model;
    if (body.model && body.model !== c.model) await store.update(c.id, owner(request), { model });
    if (!c.title) await store.update(c.id, owner(request), { title: titleFrom(body.content) });
    let attachments: Array<{ id: string; title: string; source: string }> | undefined;
    if (body.attachments?.length) {
      const mine = await o.knowledgeFor(request).list(owner(request));
      attachments = body.attachments.map((id) => {
        const d = mine.find((x) => x.id === id);
        if (!d) throw new GatewayError(400, "invalid_request_error", `attachments: ${id} is not one of your documents (upload it to /v1/knowledge/documents first)`, "invalid_attachment", "attachments");
        return { id: d.id, title: d.title, source: d.source };
      });
    }
    const meta = { ...(body.skill && { skill: body.skill }), ...(body.options && { options: body.options }), ...(attachments && { attachments }) };
    const user = await store.addMessage({ conversation_id: c.id, parent_id: parentId, role: "user", content: body.content, status: "done", ...(Object.keys(meta).length && { meta }) });
    return stream(request, reply, store, c, user, model, true);
  });

  app.post("/v1/conversations/:id/messages/:messageId/regenerate", access("person"), async (request, reply) => {
    const c = await conversation(request);
    const body = parse(regenerateBody, request.body);
    const store = o.storeFor(request);
    const messageId = (request.params as { messageId: string }).messageId;
    const messages = await store.messages(c.id);
    const target = messages.find((m) => m.id === messageId);
    // Regenerating an answer answers its question again; naming the question itself works too.
    const question = target?.role === "assistant" ? messages.find((m) => m.id === target.parent_id) : target;
    if (!question || question.role !== "user") throw notFound(`Message ${messageId}`);
    return stream(request, reply, store, c, question, body.model ?? c.model, false);
  });

  /**
   * Answers with a drawn image (kept, shown by URL) or a started video job (which the page follows until its
   * video is ready): the answer holds the media, not text.
   */
  async function drawn(request: FastifyRequest, reply: FastifyReply, store: ConversationStore, conversationId: string, question: Message, sendUser: boolean, skill: "image" | "video", options: { size?: string; seed?: number; edit?: string }) {
    let meta: Record<string, unknown>;
    let content = "";
    let model: string | null;
    if (skill === "video") {
      const job = await startVideoJob(request, o.videos, question.content);
      meta = { skill, video: jobView(job) };
      model = job.model;
    } else {
      const source = options.edit ? await o.images.storeFor(request).get(options.edit, request.principal?.keyId ?? null) : undefined;
      if (options.edit && !source) throw new GatewayError(400, "invalid_request_error", `options.edit: ${options.edit} is not one of your images`, "invalid_image", "options.edit");
      const kept = await drawAndKeep(request, o.images, { prompt: question.content, n: 1, size: options.size ?? source?.size ?? "1024x1024", response_format: "url", ...(options.seed !== undefined && { seed: options.seed }) }, source?.bytes);
      meta = { skill, images: kept.map((k) => ({ id: k.id, url: `/v1/images/${k.id}`, model: k.model, size: k.size, seed: k.seed })) };
      content = kept[0]?.revisedPrompt ?? "";
      model = kept[0]?.model ?? null;
    }
    const answer = await store.addMessage({ conversation_id: conversationId, parent_id: question.id, role: "assistant", content, status: "done", model, meta });
    const { send, end } = openEventStream(request, reply);
    if (sendUser) send("user", withSiblings([question])[0]);
    send("answer", { id: answer.id, parent_id: question.id, model: answer.model, meta });
    if (answer.content) send("delta", { text: answer.content });
    send("done", { id: answer.id, status: "done" });
    end();
  }

  /** The agent's search skills as tools, for models that call tools. */
  function tools(request: FastifyRequest, skills: string[]) {
    const who = request.principal?.keyId ?? null;
    return skillTools({
      ...(skills.includes("search") && { search: async (q: string) => relevant(await o.knowledgeFor(request).search(who, terms(q), 5)) }),
      ...(skills.includes("web") && o.webSearch && { web: (q: string) => webSources(o.webSearch!, q, o.fetchAllow ?? []) }),
    });
  }

  /** Answers `question` as server-sent events: the user message (when new), the answer's start, its text, its end. */
  async function stream(request: FastifyRequest, reply: FastifyReply, store: ConversationStore, c: { id: string; agent: string | null }, question: Message, model: string, sendUser: boolean) {
    const conversationId = c.id;
    // A question asked with the search skill is answered from the knowledge base's best passages, cited as [n];
    // a regenerated answer searches again (the documents may have changed). Translate and write are instructions.
    const { skill, options, attachments } = JSON.parse(question.meta) as {
      skill?: string;
      options?: { target?: string; glossary?: Record<string, string>; template?: WritingTemplate; size?: string; seed?: number; edit?: string };
      attachments?: Array<{ id: string }>;
    };
    if (skill === "image" || skill === "video") return drawn(request, reply, store, conversationId, question, sendUser, skill, options ?? {});
    const agent = await agentOf(request, c.agent);
    let grounding: { system: string; meta: Record<string, unknown> } | undefined;
    if (skill === "translate") grounding = { system: translatePrompt(options!.target!, options?.glossary), meta: { skill } };
    if (skill === "write") grounding = { system: writingPrompt(options!.template!), meta: { skill } };
    if (attachments?.length && (!skill || skill === "search")) {
      // A question about attached documents: their best passages for it, or their opening when none match
      // ("summarise this" names nothing in them).
      const kb = o.knowledgeFor(request);
      const ids = attachments.map((a) => a.id);
      const who = request.principal?.keyId ?? null;
      let hits = await kb.search(who, terms(question.content), 5, ids);
      if (!hits.length) hits = await kb.opening(who, ids, 5);
      const citations = citationsOf(hits);
      grounding = { system: sourcesPrompt(citations, hits), meta: { skill: "search", citations } };
    } else if (skill === "search" || skill === "web") {
      let hits;
      if (skill === "search") hits = relevant(await o.knowledgeFor(request).search(request.principal?.keyId ?? null, terms(question.content), 5));
      else if (!o.webSearch) throw new GatewayError(400, "invalid_request_error", WEB_SEARCH_MISSING, "skill_not_configured", "skill");
      else {
        try {
          hits = await webSources(o.webSearch, question.content, o.fetchAllow ?? []);
        } catch (err) {
          const e = err as Error & { status?: number };
          throw new GatewayError(e.status === 429 ? 429 : 502, "upstream_error", `web search failed: ${e.message}`, "web_search_failed");
        }
      }
      const citations = citationsOf(hits);
      grounding = { system: sourcesPrompt(citations, hits), meta: { skill, citations } };
    }
    const { send, end, gone } = openEventStream(request, reply);
    if (sendUser) send("user", withSiblings([question])[0]);
    const answer: Answer = await respond({
      store,
      client: o.client,
      conversationId,
      parent: question,
      model,
      caller: callerOf(request),
      signal: gone,
      ...(o.flushMs !== undefined && { flushMs: o.flushMs }),
      ...((grounding || agent?.instructions) && { system: [agent?.instructions, grounding?.system].filter(Boolean).join("\n\n") }),
      // An agent that uses tools offers its search skills to the model, unless the user chose a skill for this message.
      ...(!skill && agent?.toolUse && { tools: tools(request, agent.skills) }),
      ...(grounding && { meta: grounding.meta }),
      onStart: (m) => send("answer", { id: m.id, parent_id: m.parent_id, model, meta: grounding?.meta ?? {} }),
      onText: (text) => send("delta", { text }),
    });
    send("done", { id: answer.message.id, status: answer.status, ...(answer.finishReason && { finishReason: answer.finishReason }), ...(answer.error && { error: answer.error }) });
    end();
  }
}
