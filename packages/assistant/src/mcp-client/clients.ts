import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { mcpToolId, type McpServerConfig } from "./config.ts";
import { McpConnection } from "./connection.ts";

/** An allowed MCP tool as agents and their editors see it. */
export interface McpToolInfo {
  /** How an agent names it among its skills: `mcp:<server>/<tool>`. */
  id: string;
  server: string;
  tool: string;
  title?: string;
  description: string;
  inputSchema: Tool["inputSchema"];
  /** It waits for the person's OK before each call. */
  confirm: boolean;
}

/**
 * The MCP servers of benih.yaml's `mcp:`, each connected when first used and closed at shutdown; which of them a
 * market's agents may use is the server's `markets` (all when left out).
 */
export class McpClients {
  private readonly connections: Map<string, McpConnection>;

  constructor(servers: readonly McpServerConfig[], log?: (message: string) => void) {
    this.connections = new Map(servers.map((s) => [s.name, new McpConnection(s, log)]));
  }

  /** The servers a market's agents may use (`undefined`: a server without markets). */
  serversFor(market: string | undefined): McpConnection[] {
    return [...this.connections.values()].filter((c) => !c.config.markets || (market !== undefined && c.config.markets.includes(market)));
  }

  server(name: string, market: string | undefined): McpConnection | undefined {
    return this.serversFor(market).find((c) => c.config.name === name);
  }

  /** The tool ids benih.yaml allows a market's agents, without asking the servers. */
  allowedIds(market: string | undefined): string[] {
    return this.serversFor(market).flatMap((c) => c.config.tools.map((t) => mcpToolId(c.config.name, t)));
  }

  /**
   * The allowed tools of a market's servers as the servers describe them (those of `ids` only, when given); a
   * server that cannot be reached is named in `errors` instead.
   */
  async toolsFor(
    market: string | undefined,
    ids?: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ tools: McpToolInfo[]; errors: Array<{ server: string; message: string }> }> {
    const servers = this.serversFor(market).filter((c) => !ids || ids.some((id) => id.startsWith(mcpToolId(c.config.name, ""))));
    const listed = await Promise.all(
      servers.map(async (c) => {
        try {
          return { tools: (await c.listTools(signal)).map((t) => info(c, t)).filter((t) => !ids || ids.includes(t.id)) };
        } catch (err) {
          return { error: { server: c.config.name, message: (err as Error).message } };
        }
      }),
    );
    return {
      tools: listed.flatMap((l) => l.tools ?? []),
      errors: listed.flatMap((l) => (l.error ? [l.error] : [])),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.close()));
  }
}

const info = (c: McpConnection, t: Tool): McpToolInfo => ({
  id: mcpToolId(c.config.name, t.name),
  server: c.config.name,
  tool: t.name,
  ...(t.title && { title: t.title }),
  description: t.description ?? "",
  inputSchema: t.inputSchema,
  confirm: c.config.confirm?.includes(t.name) ?? false,
});
