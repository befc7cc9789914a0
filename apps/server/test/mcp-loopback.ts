import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** `node <this> stdio` runs @modelcontextprotocol/server-everything over stdio (its echo, get-sum, … tools). */
export const everythingBin = join(
  dirname(createRequire(import.meta.url).resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist",
  "index.js",
);

const text = (t: string): CallToolResult => ({ content: [{ type: "text", text: t }] });
const schema = (properties: Record<string, { type: string; description: string }>) => ({
  type: "object" as const,
  properties,
  required: Object.keys(properties),
});

/**
 * An MCP server over Streamable HTTP on loopback (stateless, as MCP allows), made with the SDK's McpServer. Its
 * tools: `weather` (a city's weather), `delete_file` (says it deleted the file), `big` (30,000 characters), `hang`
 * (never answers), `broken` (a text block without its text, written by hand: the SDK's server would not send an
 * invalid result), `secret` (what benih's config leaves out). Every POST must carry `authorization: Bearer <token>`; the methods it was sent, and the tools it ran,
 * are recorded.
 */
export async function startLoopbackMcp(token: string) {
  const methods: string[] = [];
  const called: Array<{ name: string; arguments: unknown }> = [];
  const tools = [
    {
      name: "weather",
      description: "Today's weather in a city.",
      inputSchema: schema({ city: { type: "string", description: "The city" } }),
    },
    { name: "delete_file", description: "Deletes a file.", inputSchema: schema({ path: { type: "string", description: "The file" } }) },
    { name: "big", description: "A long report.", inputSchema: schema({}) },
    { name: "hang", description: "Never answers.", inputSchema: schema({}) },
    { name: "broken", description: "Answers something that is not MCP.", inputSchema: schema({}) },
    { name: "secret", description: "Reads the launch codes.", inputSchema: schema({}) },
  ];
  const mcpFor = () => {
    const mcp = new McpServer({ name: "loopback", version: "1.0.0" }, { capabilities: { tools: {} } });
    mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
    mcp.server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
      const args = (req.params.arguments ?? {}) as Record<string, string>;
      called.push({ name: req.params.name, arguments: args });
      switch (req.params.name) {
        case "weather":
          return text(`Sunny in ${args.city}, 31°C`);
        case "delete_file":
          return text(`deleted ${args.path}`);
        case "big":
          return text("x".repeat(30_000));
        case "hang":
          return new Promise(() => {});
        default:
          return text("the launch codes are 0000");
      }
    });
    return mcp;
  };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null") as unknown;
  };
  const http = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end("who are you?");
    if (req.method !== "POST") return void res.writeHead(405, { allow: "POST" }).end();
    const body = await readBody(req);
    for (const m of [body].flat() as Array<{ method?: string }>) if (m?.method) methods.push(m.method);
    const call = body as { id?: number; method?: string; params?: { name?: string } };
    if (call.method === "tools/call" && call.params?.name === "broken") {
      called.push({ name: "broken", arguments: {} });
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: { content: [{ type: "text" }] } }));
    }
    const mcp = mcpFor();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.once("close", () => void transport.close().finally(() => mcp.close()));
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    methods,
    called,
    close: () =>
      new Promise<void>((r) => {
        http.closeAllConnections();
        http.close(() => r());
      }),
  };
}

/**
 * An MCP server over Streamable HTTP on loopback that keeps sessions (Mcp-Session-Id), as most do, and answers 404
 * to a session it does not know, as MCP says. `restart()` stops it and starts it again on the same port with its
 * sessions forgotten, as a new process would be. Its one tool, `instance`, says which start of the server ran it;
 * `initialized` counts the sessions begun, `calls` the tool calls each start ran.
 */
export async function startSessionMcp() {
  let instance = 0;
  let initialized = 0;
  const calls: number[] = [];
  let sessions = new Map<string, StreamableHTTPServerTransport>();
  const mcpFor = (n: number) => {
    const mcp = new McpServer({ name: "sessions", version: "1.0.0" }, { capabilities: { tools: {} } });
    mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [{ name: "instance", description: "Which start of the server answers.", inputSchema: schema({}) }],
    }));
    mcp.server.setRequestHandler(CallToolRequestSchema, async () => {
      calls[n] = (calls[n] ?? 0) + 1;
      return text(`instance ${n}`);
    });
    return mcp;
  };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    return raw ? (JSON.parse(raw) as unknown) : undefined;
  };
  const serve = () => {
    const n = ++instance;
    const known = new Map<string, StreamableHTTPServerTransport>();
    sessions = known;
    return createServer(async (req, res) => {
      const body = req.method === "POST" ? await readBody(req) : undefined;
      const id = req.headers["mcp-session-id"];
      const found = typeof id === "string" ? known.get(id) : undefined;
      if (found) return void (await found.handleRequest(req, res, body));
      if (id !== undefined)
        return void res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }));
      if ((body as { method?: string } | undefined)?.method !== "initialize") return void res.writeHead(400).end("initialize first");
      initialized++;
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (session) => void known.set(session, transport),
      });
      await mcpFor(n).connect(transport);
      await transport.handleRequest(req, res, body);
    });
  };
  let http = serve();
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const port = (http.address() as AddressInfo).port;
  const stop = async () => {
    const transports = [...sessions.values()];
    await new Promise<void>((r) => {
      http.closeAllConnections();
      http.close(() => r());
    });
    await Promise.all(transports.map((t) => t.close().catch(() => {})));
  };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    get initialized() {
      return initialized;
    },
    /** Stops the server and starts it again on the same port, knowing no session. */
    async restart() {
      await stop();
      http = serve();
      await new Promise<void>((r) => http.listen(port, "127.0.0.1", r));
    },
    close: stop,
  };
}
