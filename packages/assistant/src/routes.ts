import { MemorySignals, type AgentStore, type ConversationStore } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { registerAgentRoutes } from "./agents/routes.ts";
import type { AnswerOptions } from "./conversations/answer.ts";
import { AnswerStops } from "./conversations/answer-stops.ts";
import { registerFeedbackRoutes } from "./conversations/feedback-routes.ts";
import { registerConversationRoutes } from "./conversations/routes.ts";
import { registerMcpRoutes } from "./mcp/routes.ts";
import { McpClients } from "./mcp-client/clients.ts";
import { ToolConfirmations } from "./mcp-client/confirmations.ts";
import { registerMcpClientRoutes } from "./mcp-client/routes.ts";
import { registerMemoryRoutes, type MemoryRoutesOptions } from "./memory/routes.ts";
import type { ModelClient } from "./model-client.ts";
import { skills as builtInSkills, type SkillRegistry } from "./skills/registry.ts";
import type { SkillServices } from "./skills/skill.ts";

export interface AssistantRoutesOptions
  extends SkillServices,
    MemoryRoutesOptions,
    Pick<AnswerOptions, "contextWindow" | "followsInstructions" | "answersFromSources"> {
  /** The conversation store of the request's market (its data stays in that market's store). */
  storeFor(request: FastifyRequest): ConversationStore;
  /** The agents users made, in the request's market's store. */
  agentsFor(request: FastifyRequest): AgentStore;
  client: ModelClient;
  /** The model a new conversation uses when none is named: the market's default chat model. */
  defaultModel(request: FastifyRequest): Promise<string | undefined>;
  flushMs?: number;
  /** While an answer waits for the person's OK to a tool call, a comment is sent this often (default 15 s). */
  keepaliveMs?: number;
  /** "Stop" across the instances sharing the store; within this process when left out. */
  stops?: AnswerStops;
  /** Tool calls waiting for the person's OK, decided on any instance sharing the store; within this process when left out. */
  confirmations?: ToolConfirmations;
  /** The skills messages and agents may use; the shared registry when left out. */
  skills?: SkillRegistry;
  /** MCP servers whose allowed tools agents may use (benih.yaml's `mcp:`); the caller closes them. */
  mcpClients?: McpClients;
}

function localStops(): AnswerStops {
  const stops = new AnswerStops(new MemorySignals());
  void stops.listen(); // in memory, listening from this call on
  return stops;
}

function localConfirmations(): ToolConfirmations {
  const confirmations = new ToolConfirmations(new MemorySignals());
  void confirmations.listen(); // in memory, listening from this call on
  return confirmations;
}

/**
 * The assistant's HTTP API (behind the gateway's auth and market resolution): conversations, the ratings of their
 * answers, agents, memories, each skill's own routes (images, videos, voice), /mcp for MCP clients, and the MCP
 * tools agents may use (/v1/mcp/tools, and the person's OK for the calls that wait for it).
 */
export function registerAssistantRoutes(app: FastifyInstance, o: AssistantRoutesOptions) {
  const skills = o.skills ?? builtInSkills;
  // Without MCP servers configured there are none to list or call, and the routes say so.
  const mcp = { clients: o.mcpClients ?? new McpClients([]), confirmations: o.confirmations ?? localConfirmations() };
  registerAgentRoutes(app, {
    agentsFor: o.agentsFor,
    skills,
    ...(o.defaultLocale && { defaultLocale: o.defaultLocale }),
    mcpToolIds: (request) => mcp.clients.allowedIds(request.scope?.market),
  });
  registerConversationRoutes(app, { ...o, skills, stops: o.stops ?? localStops(), mcp });
  registerMcpClientRoutes(app, { mcp: mcp.clients, confirmations: mcp.confirmations, storeFor: o.storeFor });
  registerFeedbackRoutes(app, o);
  registerMemoryRoutes(app, o);
  for (const skill of skills.all()) skill.routes?.(app, o);
  registerMcpRoutes(app, o);
}
