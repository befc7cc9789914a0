// An MCP server over stdio for the tests of restarts: `pid` answers its process id, `crash` exits without answering.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const mcp = new McpServer({ name: "crashing", version: "1.0.0" }, { capabilities: { tools: {} } });
const none = { type: "object", properties: {} };
mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [
    { name: "pid", description: "This process's id.", inputSchema: none },
    { name: "crash", description: "Exits at once.", inputSchema: none },
  ],
}));
mcp.server.setRequestHandler(CallToolRequestSchema, (call) => {
  if (call.params.name === "crash") process.exit(1);
  return { content: [{ type: "text", text: String(process.pid) }] };
});
await mcp.connect(new StdioServerTransport());
