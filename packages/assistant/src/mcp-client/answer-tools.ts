import { randomUUID } from "node:crypto";
import type { AnswerEvents, ToolCallView } from "@benih/contracts";
import type { ConversationStore } from "@benih/store";
import type { ToolCall, ToolDefinition } from "../model-client.ts";
import type { Tools } from "../respond.ts";
import type { McpClients, McpToolInfo } from "./clients.ts";
import type { ToolConfirmations } from "./confirmations.ts";

export interface McpAnswerToolsOptions {
  clients: McpClients;
  confirmations: ToolConfirmations;
  /** The store of the answer's conversation, where a call's wait for an OK is kept for every instance to see. */
  store: ConversationStore;
  /** The request's market: the servers its agents may use. */
  market: string | undefined;
  /** The agent's skills: the `mcp:<server>/<tool>` among them are offered. */
  skills: readonly string[];
  /** Who may approve the calls that wait for an OK. */
  owner: string | null;
  /** The answer's id, once it has one (the calls come after it starts). */
  answerId(): string | undefined;
  /** Sends an event of the answer's stream. */
  emit<E extends "tool" | "confirm">(event: E, data: AnswerEvents[E]): void;
  /** Keeps the answer's stream alive while nothing else is sent (an SSE comment). */
  keepalive?(): void;
  /** How often `keepalive` is sent while a call waits for the person's OK (default 15 s: proxies cut idle streams). */
  keepaliveMs?: number;
  /** Aborted when the answer is stopped: a call waiting for an OK, or running, is given up. */
  signal: AbortSignal;
  log?(message: string): void;
}

/** How often an answer waiting for the person's OK sends a keepalive comment. */
const KEEPALIVE_MS = 15_000;

/** A name a model's function may have (OpenAI's: letters, digits, _ and -, 64 at most), unique among `taken`. */
function functionName(t: McpToolInfo, taken: Set<string>): string {
  const base = `${t.server}__${t.tool}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

const objectArgs = (text: string): Record<string, unknown> | string => {
  try {
    const parsed = JSON.parse(text || "{}") as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : "the arguments must be a JSON object";
  } catch {
    return `the arguments are not JSON: ${text.slice(0, 200)}`;
  }
};

/**
 * The MCP tools an agent names, offered to its model with each tool's inputSchema as the function's parameters.
 * Each call is kept in the answer's meta (`toolCalls`) and sent as `tool` events as it goes; one the server's
 * config lists in `confirm` first sends `confirm` and waits for the person. Undefined when none can be offered
 * (no such tools, or their servers cannot be reached: the model answers without them).
 */
export async function mcpAnswerTools(o: McpAnswerToolsOptions): Promise<Tools | undefined> {
  const ids = o.skills.filter((s) => s.startsWith("mcp:"));
  if (!ids.length) return undefined;
  const { tools, errors } = await o.clients.toolsFor(o.market, ids, o.signal);
  for (const e of errors) o.log?.(`MCP tools of ${e.server} not offered: ${e.message}`);
  if (!tools.length) return undefined;
  const taken = new Set<string>();
  const offered = tools.map((t) => ({ t, name: functionName(t, taken) }));
  const calls: ToolCallView[] = [];
  const update = (call: ToolCallView, set: Partial<ToolCallView>) => {
    Object.assign(call, set);
    o.emit("tool", { ...call });
  };
  return {
    definitions: offered.map(
      ({ t, name }): ToolDefinition => ({
        type: "function",
        function: { name, description: t.description || t.title || t.tool, parameters: t.inputSchema },
      }),
    ),
    async run(c: ToolCall) {
      const found = offered.find((x) => x.name === c.name)?.t;
      if (!found) return `error: there is no tool ${c.name}`;
      const args = objectArgs(c.arguments);
      const call: ToolCallView = {
        id: randomUUID(),
        server: found.server,
        tool: found.tool,
        arguments: typeof args === "string" ? {} : args,
        status: "running",
      };
      calls.push(call);
      if (typeof args === "string") {
        update(call, { status: "error", error: args });
        return `error: ${args}`;
      }
      const server = o.clients.server(found.server, o.market);
      if (found.confirm && server) {
        const seconds = server.config.confirmSeconds ?? 300;
        update(call, { status: "awaiting_confirmation" });
        o.emit("confirm", { call: { ...call }, expiresInSeconds: seconds });
        const answerId = o.answerId();
        // Nothing else goes to the reader while the person decides: a proxy would take the stream for dead.
        const beat = o.keepalive ? setInterval(o.keepalive, o.keepaliveMs ?? KEEPALIVE_MS) : undefined;
        let approved: boolean | undefined;
        try {
          approved = answerId ? await o.confirmations.ask(o.store, answerId, call.id, o.owner, seconds * 1000, o.signal) : undefined;
        } catch (err) {
          const why = `could not wait for the person's OK: ${(err as Error).message}`;
          update(call, { status: "error", error: why });
          return `error: ${why}`;
        } finally {
          clearInterval(beat);
        }
        if (!approved) {
          const why =
            approved === false
              ? "the person declined this call"
              : o.signal.aborted
                ? "the answer was stopped before the person approved this call"
                : `the person did not approve this call within ${seconds} s`;
          update(call, { status: "declined", error: why });
          return `The call to ${found.tool} was not made: ${why}.`;
        }
        update(call, { status: "running" });
      } else o.emit("tool", { ...call });
      try {
        if (!server) throw new Error(`${found.server} is not configured for this market`);
        const { text, isError } = await server.call(found.tool, args, o.signal);
        update(call, isError ? { status: "error", result: text, error: `${found.tool} said it failed` } : { status: "done", result: text });
        return isError ? `error: ${text}` : text;
      } catch (err) {
        const message = (err as Error).message;
        update(call, { status: "error", error: message });
        return `error: ${message}`;
      }
    },
    meta: () => (calls.length ? { toolCalls: calls.map((c) => ({ ...c })) } : {}),
  };
}
