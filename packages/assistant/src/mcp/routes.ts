import { access, metered } from "@benih/gateway";
import type { FastifyInstance } from "fastify";
import type { McpToolsOptions } from "./server.ts";

/** The MCP server side, loaded with the first message: imported up front it would slow every start of benih. */
const loadServer = () =>
  Promise.all([import("./server.ts"), import("@modelcontextprotocol/sdk/server/streamableHttp.js")]).then(([s, t]) => ({
    mcpServerFor: s.mcpServerFor,
    Transport: t.StreamableHTTPServerTransport,
  }));
let serverSide: ReturnType<typeof loadServer> | undefined;

const notAllowed = {
  jsonrpc: "2.0",
  error: { code: -32000, message: "This MCP server is stateless: send each message as a POST to /mcp." },
  id: null,
};

/**
 * benih as an MCP server over Streamable HTTP at /mcp, behind the same access as the rest of the API: a person's
 * key or session (an open loopback server: its owner), the request's market, and one request of the caller's quota
 * for each message posted (the gateway counts those before the body is read, as for the other metered routes).
 *
 * Stateless (`sessionIdGenerator: undefined`), a new server and transport for each POST: each message carries its
 * key, so any of several instances can answer it with no session to share or lose, and the tools only answer
 * what they are asked, with nothing to push between requests. So there is no stream to open (GET) and no session
 * to end (DELETE): both are answered 405, as the transport specification says a server without them does.
 */
export function registerMcpRoutes(app: FastifyInstance, o: McpToolsOptions): void {
  // The body is the one Fastify parsed within the API's JSON body limit; the transport reads no other.
  app.post("/mcp", metered(), async (request, reply) => {
    // One message per POST, as the quota counts them: the transport would run a JSON-RPC batch's calls (up to 100)
    // at once for one request's price. MCP itself dropped batches (2025-06-18).
    if (Array.isArray(request.body))
      return reply.code(400).send({
        jsonrpc: "2.0",
        error: { code: -32600, message: "Send one JSON-RPC message per POST; batches are not accepted." },
        id: null,
      });
    const { mcpServerFor, Transport } = await (serverSide ??= loadServer());
    const mcp = mcpServerFor(request, o);
    const transport = new Transport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    // Headers set before the transport takes over (the market, the quota's x-ratelimit-*) go out with its answer.
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    reply.hijack();
    // A client that leaves closes the transport, which aborts the signal its tool was given (translate stops; an
    // image already being drawn is finished and kept).
    reply.raw.once("close", () => void transport.close().finally(() => mcp.close()));
    try {
      await mcp.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (err) {
      request.log.error({ err }, "the MCP transport failed");
      if (!reply.raw.headersSent)
        reply.raw
          .writeHead(500, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message: `Internal error (request ${request.id})` }, id: null }));
    }
  });
  for (const method of ["GET", "DELETE"] as const)
    app.route({
      method,
      url: "/mcp",
      ...access("person"),
      handler: async (_request, reply) => reply.code(405).header("allow", "POST").send(notAllowed),
    });
}
