import { feedbackBody, type FeedbackView, type MessageView } from "@benih/contracts";
import { access, GatewayError } from "@benih/gateway";
import type { ConversationStore } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { idParam, notFound, ownerOf, parse, wholeQuery } from "../http.ts";
import { withSiblings } from "../thread.ts";

/** Rated answers one listing returns at most. */
const MAX_LISTED = 200;

/**
 * Readers rate answers (PUT …/messages/:messageId/feedback), and admins read the ratings of the request's market
 * (GET /v1/feedback), newest first: the ratings of the request's market.
 */
export function registerFeedbackRoutes(app: FastifyInstance, o: { storeFor(request: FastifyRequest): ConversationStore }) {
  app.put("/v1/conversations/:id/messages/:messageId/feedback", access("person"), async (request): Promise<MessageView> => {
    const store = o.storeFor(request);
    const c = await store.get(idParam(request), ownerOf(request));
    const messageId = (request.params as { messageId: string }).messageId;
    if (!c) throw notFound(`Conversation ${idParam(request)}`);
    const body = parse(feedbackBody, request.body);
    const messages = await store.messages(c.id);
    const target = messages.find((m) => m.id === messageId);
    if (target?.role !== "assistant") throw notFound(`Answer ${messageId}`);
    await store.rate(c.id, messageId, body.rating, body.rating ? (body.comment?.trim() ?? "") || null : null);
    return withSiblings(await store.messages(c.id)).find((m) => m.id === messageId)!;
  });

  app.get("/v1/feedback", access("market-admin"), async (request): Promise<{ data: FeedbackView[] }> => {
    const q = request.query as { rating?: string; limit?: string };
    if (q.rating !== undefined && q.rating !== "up" && q.rating !== "down")
      throw new GatewayError(400, "invalid_request_error", "rating: up or down", "invalid_query", "rating");
    const limit = wholeQuery(q.limit, "limit", { min: 1, max: MAX_LISTED }) ?? 50;
    return { data: await o.storeFor(request).ratings({ limit, ...(q.rating && { rating: q.rating }) }) };
  });
}
