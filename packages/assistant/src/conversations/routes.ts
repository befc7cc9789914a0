import { createConversationBody, messageBody, regenerateBody, updateConversationBody, type ConversationDetail } from "@benih/contracts";
import { access, GatewayError, metered } from "@benih/gateway";
import type { ConversationStore } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { agentOf } from "../agents/routes.ts";
import { isExportLocale, toMarkdown } from "../export.ts";
import { idParam, notFound, ownerOf, parse, wholeQuery } from "../http.ts";
import { branch, newestLeafUnder, withSiblings } from "../thread.ts";
import { refuseUnavailable, streamAnswer, type AnswerOptions } from "./answer.ts";
import { imagesOf } from "./images.ts";

export interface ConversationRoutesOptions extends AnswerOptions {
  /** The conversation store of the request's market (its data stays in that market's store). */
  storeFor(request: FastifyRequest): ConversationStore;
  /** The model a new conversation uses when none is named: the market's default chat model. */
  defaultModel(request: FastifyRequest): Promise<string | undefined>;
}

const titleFrom = (text: string) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 48 ? `${line.slice(0, 47)}…` : line;
};

/**
 * The assistant's conversations under /v1/conversations: list, create, search, read (every branch), rename,
 * switch branch, delete, export as Markdown, and post or regenerate a message, answered as server-sent events
 * while the answer is saved as it streams.
 */
export function registerConversationRoutes(app: FastifyInstance, o: ConversationRoutesOptions) {
  const conversation = async (request: FastifyRequest) => {
    const id = idParam(request);
    const c = await o.storeFor(request).get(id, ownerOf(request));
    if (!c) throw notFound(`Conversation ${id}`);
    return c;
  };
  const view = async (store: ConversationStore, id: string, leaf: string | null) => {
    const messages = await store.messages(id);
    return { messages: withSiblings(messages), thread: branch(messages, leaf).map((m) => m.id) };
  };

  app.get("/v1/conversations", access("person"), async (request) => {
    const q = request.query as { limit?: string; before?: string };
    const limit = wholeQuery(q.limit, "limit", { min: 1, max: 200 }) ?? 50;
    const before = wholeQuery(q.before, "before");
    return { data: await o.storeFor(request).list(ownerOf(request), { limit, ...(before !== undefined && { before }) }) };
  });

  app.get("/v1/conversations/search", access("person"), async (request) => {
    const q = ((request.query as { q?: string }).q ?? "").trim();
    if (!q) throw new GatewayError(400, "invalid_request_error", "q: say what to look for", "invalid_query", "q");
    return { data: await o.storeFor(request).search(ownerOf(request), q.slice(0, 200)) };
  });

  app.post("/v1/conversations", access("person"), async (request, reply) => {
    const body = parse(createConversationBody, request.body);
    const agent = await agentOf(request, o.agentsFor(request), body.agent ?? null);
    if (body.agent && !agent)
      throw new GatewayError(
        400,
        "invalid_request_error",
        `agent: ${body.agent} does not exist (GET /v1/agents lists them)`,
        "invalid_agent",
        "agent",
      );
    const model = body.model ?? agent?.model ?? (await o.defaultModel(request));
    if (!model) throw new GatewayError(400, "invalid_request_error", "model: this market offers no model; name one", "no_model", "model");
    const c = await o.storeFor(request).create({ owner: ownerOf(request), title: body.title ?? "", model, agent: body.agent ?? null });
    return reply.code(201).send(c);
  });

  app.get("/v1/conversations/:id", access("person"), async (request): Promise<ConversationDetail> => {
    const c = await conversation(request);
    return { conversation: c, ...(await view(o.storeFor(request), c.id, c.leaf)) };
  });

  app.patch("/v1/conversations/:id", access("person"), async (request): Promise<ConversationDetail> => {
    const c = await conversation(request);
    const body = parse(updateConversationBody, request.body);
    const store = o.storeFor(request);
    let leaf: string | undefined;
    if (body.leaf) {
      // Switching branch: to a message of this conversation, landing on the newest answer below it.
      const messages = await store.messages(c.id);
      if (!messages.some((m) => m.id === body.leaf))
        throw new GatewayError(
          400,
          "invalid_request_error",
          `leaf: ${body.leaf} is not a message of this conversation`,
          "invalid_leaf",
          "leaf",
        );
      leaf = newestLeafUnder(messages, body.leaf);
    }
    await store.update(c.id, ownerOf(request), {
      ...(body.title && { title: body.title }),
      ...(body.model && { model: body.model }),
      ...(leaf && { leaf }),
    });
    const updated = (await store.get(c.id, ownerOf(request)))!;
    return { conversation: updated, ...(await view(store, c.id, updated.leaf)) };
  });

  app.delete("/v1/conversations/:id", access("person"), async (request, reply) => {
    const c = await conversation(request);
    await o.storeFor(request).delete(c.id, ownerOf(request));
    return reply.code(204).send();
  });

  app.get("/v1/conversations/:id/export", access("person"), async (request, reply) => {
    const c = await conversation(request);
    const messages = branch(await o.storeFor(request).messages(c.id), c.leaf);
    const lang = (request.query as { lang?: string }).lang;
    if (lang !== undefined && !isExportLocale(lang))
      throw new GatewayError(400, "invalid_request_error", "lang: zh, en or id", "invalid_query", "lang");
    const name = (c.title || "conversation").replace(/[^\p{L}\p{N} ._-]+/gu, "").trim() || "conversation";
    return reply
      .type("text/markdown; charset=utf-8")
      .header("content-disposition", `attachment; filename="conversation.md"; filename*=UTF-8''${encodeURIComponent(name)}.md`)
      .send(toMarkdown(c, messages, isExportLocale(lang) ? lang : "en"));
  });

  app.post("/v1/conversations/:id/messages", metered(), async (request, reply) => {
    const c = await conversation(request);
    const body = parse(messageBody, request.body);
    // The skill chosen, with its options as its schema reads them; one that cannot run here is refused before anything is kept.
    let options: unknown;
    if (body.skill !== undefined) {
      const skill = o.skills.get(body.skill);
      refuseUnavailable(skill, o);
      options = parse(skill.options, body.options ?? {}, "options");
    } else if (body.options)
      throw new GatewayError(
        400,
        "invalid_request_error",
        `options: choose a skill for them (${o.skills.ids().join(", ")})`,
        "invalid_body",
        "options",
      );
    const store = o.storeFor(request);
    const parentId = body.parentId === undefined ? c.leaf : body.parentId;
    if (parentId) {
      const parent = (await store.messages(c.id)).find((m) => m.id === parentId);
      if (!parent)
        throw new GatewayError(
          400,
          "invalid_request_error",
          `parentId: ${parentId} is not a message of this conversation`,
          "invalid_parent",
          "parentId",
        );
    }
    let attachments: Array<{ id: string; title: string; source: string }> | undefined;
    if (body.attachments?.length) {
      const mine = await o.knowledgeFor(request).list(ownerOf(request));
      attachments = body.attachments.map((id) => {
        const d = mine.find((x) => x.id === id);
        if (!d)
          throw new GatewayError(
            400,
            "invalid_request_error",
            `attachments: ${id} is not one of your documents (upload it to /v1/knowledge/documents first)`,
            "invalid_attachment",
            "attachments",
          );
        return { id: d.id, title: d.title, source: d.source };
      });
    }
    const images = body.images?.length ? await imagesOf(request, o.images, body.images) : undefined;
    const model = body.model ?? c.model;
    if (body.model && body.model !== c.model) await store.update(c.id, ownerOf(request), { model });
    if (!c.title) await store.update(c.id, ownerOf(request), { title: titleFrom(body.content) });
    const meta = {
      ...(body.skill && { skill: body.skill }),
      ...(body.options && { options }),
      ...(attachments && { attachments }),
      ...(images && { images }),
    };
    const user = await store.addMessage({
      conversation_id: c.id,
      parent_id: parentId,
      role: "user",
      content: body.content,
      status: "done",
      ...(Object.keys(meta).length && { meta }),
    });
    return streamAnswer(o, request, reply, { store, conversation: c, question: user, model, sendUser: true });
  });

  // Stops an answer streaming on whichever instance serves it (closing the stream that asked for it does the same).
  app.post("/v1/conversations/:id/messages/:messageId/stop", access("person"), async (request, reply) => {
    const c = await conversation(request);
    const messageId = (request.params as { messageId: string }).messageId;
    const store = o.storeFor(request);
    const answer = (await store.messages(c.id)).find((m) => m.id === messageId && m.role === "assistant");
    if (!answer) throw notFound(`Answer ${messageId}`);
    if (!(await store.requestStop(answer.id)))
      throw new GatewayError(
        409,
        "invalid_request_error",
        `Answer ${messageId} is not streaming (it is ${answer.status})`,
        "not_streaming",
      );
    await o.stops.stop(answer.id);
    return reply.code(202).send({ id: answer.id, status: "stopping" });
  });

  app.post("/v1/conversations/:id/messages/:messageId/regenerate", metered(), async (request, reply) => {
    const c = await conversation(request);
    const body = parse(regenerateBody, request.body);
    const store = o.storeFor(request);
    const messageId = (request.params as { messageId: string }).messageId;
    const messages = await store.messages(c.id);
    const target = messages.find((m) => m.id === messageId);
    // Regenerating an answer answers its question again; naming the question itself works too.
    const question = target?.role === "assistant" ? messages.find((m) => m.id === target.parent_id) : target;
    if (question?.role !== "user") throw notFound(`Message ${messageId}`);
    return streamAnswer(o, request, reply, { store, conversation: c, question, model: body.model ?? c.model, sendUser: false });
  });
}
