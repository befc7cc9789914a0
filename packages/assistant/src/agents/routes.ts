import { agentBody, agentPatch } from "@benih/contracts";
import { access, GatewayError } from "@benih/gateway";
import type { AgentStore } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { idParam, notFound, ownerOf, parse } from "../http.ts";
import { MCP_PREFIX } from "../mcp-client/config.ts";
import type { SkillRegistry } from "../skills/registry.ts";
import { BUILT_IN_AGENTS, builtInView, fromStored, type Agent } from "./built-in.ts";

export interface AgentRoutesOptions {
  /** The agents users made, in the request's market's store. */
  agentsFor(request: FastifyRequest): AgentStore;
  /** The skills an agent may name. */
  skills: SkillRegistry;
  /** The request's market's default locale: the built-in agents' starters are in it unless ?lang= names another. */
  defaultLocale?(request: FastifyRequest): string | undefined;
  /** The MCP tools (`mcp:<server>/<tool>`) the request's market allows its agents. */
  mcpToolIds?(request: FastifyRequest): string[];
}

/** An agent by id: built in, or one of the caller's. */
export async function agentOf(request: FastifyRequest, agents: AgentStore, id: string | null): Promise<Agent | undefined> {
  if (!id) return undefined;
  const builtIn = BUILT_IN_AGENTS.find((a) => a.id === id);
  if (builtIn) return builtInView(builtIn, "en");
  const stored = await agents.get(id, ownerOf(request));
  return stored && fromStored(stored);
}

/** /v1/agents: the built-in agents and the caller's own, which they make, change and delete. */
export function registerAgentRoutes(app: FastifyInstance, o: AgentRoutesOptions) {
  /** Each skill an agent names must be one this server has, or an MCP tool the market allows. */
  const checked = <T extends { skills?: string[] }>(request: FastifyRequest, body: T): T => {
    body.skills?.forEach((id, i) => {
      if (!id.startsWith(MCP_PREFIX)) {
        o.skills.forAgent(id, `skills.${i}`);
        return;
      }
      const allowed = o.mcpToolIds?.(request) ?? [];
      if (!allowed.includes(id))
        throw new GatewayError(
          400,
          "invalid_request_error",
          `skills.${i}: there is no MCP tool ${JSON.stringify(id)} here; ${allowed.length ? `this market has ${allowed.join(", ")}` : "this market has none (benih.yaml's mcp: adds them)"}`,
          "invalid_skill",
          `skills.${i}`,
        );
    });
    return body;
  };
  const editable = (request: FastifyRequest) => {
    const id = idParam(request);
    if (BUILT_IN_AGENTS.some((a) => a.id === id))
      throw new GatewayError(
        403,
        "permission_error",
        `${id} is a built-in agent: make your own instead (POST /v1/agents)`,
        "built_in_agent",
      );
    return id;
  };

  app.get("/v1/agents", access("person"), async (request) => {
    const lang = (request.query as { lang?: string }).lang ?? o.defaultLocale?.(request) ?? "en";
    return {
      data: [...BUILT_IN_AGENTS.map((a) => builtInView(a, lang)), ...(await o.agentsFor(request).list(ownerOf(request))).map(fromStored)],
    };
  });
  app.post("/v1/agents", access("person"), async (request, reply) =>
    reply.code(201).send(fromStored(await o.agentsFor(request).create(ownerOf(request), checked(request, parse(agentBody, request.body))))),
  );
  app.patch("/v1/agents/:id", access("person"), async (request) => {
    const id = editable(request);
    const updated = await o.agentsFor(request).update(id, ownerOf(request), checked(request, parse(agentPatch, request.body)));
    if (!updated) throw notFound(`Agent ${id}`);
    return fromStored(updated);
  });
  app.delete("/v1/agents/:id", access("person"), async (request, reply) => {
    const id = editable(request);
    if (!(await o.agentsFor(request).delete(id, ownerOf(request)))) throw notFound(`Agent ${id}`);
    return reply.code(204).send();
  });
}
