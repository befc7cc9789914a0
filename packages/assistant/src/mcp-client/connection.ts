import { readFileSync } from "node:fs";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";

/**
 * The SDK's client side, loaded with the first connection: imported up front it would cost every start of benih
 * (each CLI command included) most of a second, for servers that are often never called.
 */
const loadSdk = async () => {
  const [client, stdio, http, types] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/stdio.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]);
  return { ...client, ...stdio, ...http, McpError: types.McpError, ErrorCode: types.ErrorCode };
};
let sdk: ReturnType<typeof loadSdk> | undefined;
/** Set once loaded: what a failed call is told apart by (a call fails only after a connection was tried). */
let loaded: Awaited<ReturnType<typeof loadSdk>> | undefined;
const sdkLoaded = async () => (loaded ??= await (sdk ??= loadSdk()));
import type { McpServerConfig } from "./config.ts";
import { resultText } from "./result-text.ts";

const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** The longest wait before a server that keeps failing is started again. */
const MAX_BACKOFF_MS = 30_000;
const backoffMs = (failures: number) => (failures ? Math.min(MAX_BACKOFF_MS, 500 * 2 ** (failures - 1)) : 0);

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

interface Issue {
  path: PropertyKey[];
  message: string;
  /** A union's: why each of its choices did not fit. */
  errors?: Issue[][];
}

/** Where a result is malformed, and how: a union's first choice says it best (a text block's missing text). */
function firstProblem(issues: Issue[], at: PropertyKey[] = []): string {
  const first = issues[0];
  if (!first) return "malformed";
  const path = [...at, ...first.path];
  if (first.errors?.[0]?.length) return firstProblem(first.errors[0], path);
  return `${path.map(String).join(".") || "result"}: ${first.message}`;
}

/** A call that failed, said so its caller's model and reader understand it. */
export class McpCallFailed extends Error {}

/**
 * One configured MCP server: connected on first use, its allow-listed tools listed once and kept until it says
 * they changed (or it reconnects). A server that crashes or cannot be reached is started again at the next use,
 * after a wait that doubles with each failure in a row (up to 30 s). Every call has a time limit, after which it
 * is abandoned (the server is told, as MCP says, with notifications/cancelled). A Streamable HTTP server that
 * forgot the session (404) gets a new one, and the request is sent again in it, once.
 */
export class McpConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private tools: Tool[] | undefined;
  private failures = 0;
  private failedAt = 0;
  private lastError = "";
  private closed = false;

  constructor(
    readonly config: McpServerConfig,
    private readonly log?: (message: string) => void,
  ) {}

  get timeoutMs(): number {
    return (this.config.timeoutSeconds ?? 30) * 1000;
  }

  /** The server's tools that benih.yaml allows, as it describes them. */
  async listTools(signal?: AbortSignal): Promise<Tool[]> {
    if (this.tools) return this.tools;
    // The server's time starts once benih's own loading of the SDK is done.
    await sdkLoaded();
    const deadline = Date.now() + this.timeoutMs;
    const { client, result: all } = await this.inSession(deadline, "list its tools", async (client) => {
      const all: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { timeout: this.left(deadline), ...(signal && { signal }) });
        all.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    });
    this.failures = 0;
    const tools = all.filter((t) => this.config.tools.includes(t.name));
    if (this.client === client) this.tools = tools;
    return tools;
  }

  /** Calls an allowed tool; its result as text for a model, or McpCallFailed saying what went wrong. */
  async call(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<{ text: string; isError: boolean }> {
    if (!this.config.tools.includes(tool)) throw new McpCallFailed(`${this.config.name} has no tool ${tool} that benih may use`);
    // The server's time starts once benih's own loading of the SDK is done.
    await sdkLoaded();
    const deadline = Date.now() + this.timeoutMs;
    const { result } = await this.inSession(deadline, `answer ${tool}`, (client) =>
      client.callTool({ name: tool, arguments: args }, undefined, { timeout: this.left(deadline), ...(signal && { signal }) }),
    );
    this.failures = 0;
    return resultText(result as CallToolResult);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.close().catch(() => {});
  }

  /**
   * Runs `request` on the connection. A Streamable HTTP server that answers 404 to the session's id has forgotten
   * the session (it restarted, or ended it): as MCP says, a new session is started (initialize again), and the
   * request, which never reached the server's tools, is sent once more in it.
   */
  private async inSession<T>(
    deadline: number,
    doing: string,
    request: (client: Client) => Promise<T>,
  ): Promise<{ client: Client; result: T }> {
    let client = await this.connected(deadline);
    for (let renewed = false; ; renewed = true) {
      const session = client.transport?.sessionId;
      try {
        return { client, result: await request(client) };
      } catch (err) {
        if (err instanceof McpCallFailed) throw err;
        if (renewed || !session || !this.sessionGone(err)) this.fail(err as Error, doing);
        this.log?.(`MCP server ${this.config.name}: it knows the session no more (404); starting a new session`);
        await this.drop(client);
        client = await this.connected(deadline);
      }
    }
  }

  /** The server said 404 to a request that carried a session id: it knows no such session. */
  private sessionGone(err: unknown): boolean {
    return !!loaded && err instanceof loaded.StreamableHTTPError && err.code === 404;
  }

  /** Forgets a connection whose session the server forgot, without counting it as a failure. */
  private async drop(client: Client): Promise<void> {
    if (this.client === client) {
      this.client = undefined;
      this.tools = undefined;
    }
    await client.close().catch(() => {});
  }

  private left(deadline: number): number {
    const ms = deadline - Date.now();
    if (ms <= 0) throw new McpCallFailed(`${this.config.name} did not answer within ${seconds(this.timeoutMs)}; the call was abandoned`);
    return ms;
  }

  /** What a failed request says: a time limit passed, a result that is not MCP's, or the server's own error. */
  private fail(err: Error, doing: string): never {
    const mcpError = (code: "RequestTimeout" | "ConnectionClosed") =>
      !!loaded && err instanceof loaded.McpError && err.code === loaded.ErrorCode[code];
    if (mcpError("RequestTimeout"))
      throw new McpCallFailed(`${this.config.name} did not ${doing} within ${seconds(this.timeoutMs)}; the call was abandoned`);
    const issues = (err as { issues?: Issue[] }).issues;
    if (Array.isArray(issues))
      throw new McpCallFailed(`${this.config.name} did not ${doing} with a valid MCP result (${firstProblem(issues)})`);
    if (mcpError("ConnectionClosed"))
      throw new McpCallFailed(`${this.config.name} closed the connection before it could ${doing}; it is started again at the next call`);
    throw new McpCallFailed(`${this.config.name} could not ${doing}: ${err.message}`);
  }

  private async connected(deadline: number): Promise<Client> {
    if (this.closed) throw new McpCallFailed(`${this.config.name}: the server is shutting down`);
    if (this.client) return this.client;
    const wait = this.failedAt + backoffMs(this.failures) - Date.now();
    if (wait > 0 && wait >= deadline - Date.now())
      throw new McpCallFailed(`${this.config.name} is unavailable (${this.lastError}); it is tried again in ${seconds(wait)}`);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.connecting ??= this.open(deadline).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private transport(s: Awaited<ReturnType<typeof loadSdk>>): Transport {
    const c = this.config;
    if (c.command)
      return new s.StdioClientTransport({
        command: c.command,
        args: c.args ?? [],
        env: { ...s.getDefaultEnvironment(), ...c.env },
        // What the server writes there is its log, not an answer: kept from benih's own output.
        stderr: "ignore",
      });
    return new s.StreamableHTTPClientTransport(new URL(c.url!), { requestInit: { headers: c.headers ?? {} } });
  }

  private async open(deadline: number): Promise<Client> {
    const s = await sdkLoaded();
    const client = new s.Client(
      { name: "benih", version },
      // A changed list is read again at its next use.
      { listChanged: { tools: { autoRefresh: false, onChanged: () => void (this.tools = undefined) } } },
    );
    client.onclose = () => {
      if (this.client !== client) return;
      // It went away (a crashed process, a dropped connection): started again at the next use, after a wait.
      this.client = undefined;
      this.tools = undefined;
      if (!this.closed) this.failed(`${this.config.name} closed the connection`);
    };
    try {
      await client.connect(this.transport(s), { timeout: this.left(deadline) });
    } catch (err) {
      await client.close().catch(() => {});
      this.failed((err as Error).message);
      if (err instanceof McpCallFailed) throw err;
      this.fail(err as Error, "start");
    }
    if (this.closed) {
      await client.close().catch(() => {});
      throw new McpCallFailed(`${this.config.name}: the server is shutting down`);
    }
    this.client = client;
    return client;
  }

  private failed(message: string): void {
    this.failures++;
    this.failedAt = Date.now();
    this.lastError = message;
    this.log?.(`MCP server ${this.config.name}: ${message}; tried again in ${seconds(backoffMs(this.failures))} at the earliest`);
  }
}
