import { toolCallDecisionBody } from "@benih/contracts";
import { access, GatewayError, scopeOf } from "@benih/gateway";
import type { ConversationStore } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { idParam, notFound, ownerOf, parse } from "../http.ts";
import type { McpClients } from "./clients.ts";
import type { ToolConfirmations } from "./confirmations.ts";

export interface McpClientRoutesOptions {
  mcp: McpClients;
  confirmations: ToolConfirmations;
  storeFor(request: FastifyRequest): ConversationStore;
}

/**
 * GET /v1/mcp/tools: the MCP tools the request's market allows, as their servers describe them (for the agent
 * editor). POST …/messages/:messageId/tool-calls/:callId: the person approves or declines a call that waits.
 */
export function registerMcpClientRoutes(app: FastifyInstance, o: McpClientRoutesOptions): void {
  app.get("/v1/mcp/tools", access("person"), async (request) => {
    const { tools, errors } = await o.mcp.toolsFor(scopeOf(request).market);
    return { data: tools, errors };
  });

  app.post("/v1/conversations/:id/messages/:messageId/tool-calls/:callId", access("person"), async (request, reply) => {
    const id = idParam(request);
    const { messageId, callId } = request.params as { messageId: string; callId: string };
    const { approve } = parse(toolCallDecisionBody, request.body);
    const store = o.storeFor(request);
    // Another person's conversation is not found, as everywhere else.
    if (!(await store.get(id, ownerOf(request)))) throw notFound(`Conversation ${id}`);
    if (!(await store.messages(id)).some((m) => m.id === messageId && m.role === "assistant")) throw notFound(`Answer ${messageId}`);
    // Recorded in the store only if the call still waits, for this person: the instance streaming the answer,
    // this one or another, takes it from there.
    if (!(await o.confirmations.answer(store, messageId, callId, ownerOf(request), approve)))
      throw new GatewayError(
        409,
        "invalid_request_error",
        `Tool call ${callId} is not waiting for an answer (it was decided, timed out, or its answer ended)`,
        "not_waiting",
      );
    return reply.code(202).send({ id: callId, approve });
  });
}
