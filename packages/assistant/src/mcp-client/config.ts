/** An MCP server whose tools agents may use, as benih.yaml's `mcp:` gives it. */
export interface McpServerConfig {
  name: string;
  /** A process spoken to over stdio… */
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  /** …or a server reached over Streamable HTTP. */
  url?: string;
  headers?: Record<string, string>;
  /** The only tools of the server that are shown to models and agent editors. */
  tools: string[];
  /** Tools that wait for the person's OK before each call. */
  confirm?: string[];
  /** How long one call may take (default 30). */
  timeoutSeconds?: number;
  /** How long a call waits for the person's OK (default 300). */
  confirmSeconds?: number;
  /** The markets whose agents may use it; all of them when left out. */
  markets?: string[];
}

/** How an agent names an MCP tool among its skills. */
export const MCP_PREFIX = "mcp:";
export const mcpToolId = (server: string, tool: string) => `${MCP_PREFIX}${server}/${tool}`;

/** The server and tool an agent's skill `mcp:<server>/<tool>` names; undefined for a built-in skill. */
export function parseMcpToolId(id: string): { server: string; tool: string } | undefined {
  if (!id.startsWith(MCP_PREFIX)) return undefined;
  const rest = id.slice(MCP_PREFIX.length);
  const slash = rest.indexOf("/");
  return slash > 0 && slash < rest.length - 1 ? { server: rest.slice(0, slash), tool: rest.slice(slash + 1) } : { server: rest, tool: "" };
}
