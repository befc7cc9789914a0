import { GatewayError } from "@benih/gateway";
import type { CallToolResult, Tool, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { ModelError } from "../model-client.ts";

/** One of benih's MCP tools: as tools/list shows it, and its call. */
export interface McpTool {
  definition: Tool;
  call(args: unknown, signal: AbortSignal): Promise<CallToolResult>;
}

/** A refusal or failure as MCP says to give it: a result the client's model reads, marked `isError`. */
export const toolError = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });

/**
 * A tool whose arguments `input` checks, as the HTTP routes check bodies (the first problem, named by its path).
 * The schema is this project's zod: McpServer.registerTool would read it through the zod the SDK resolves, a copy
 * of another major version that lists it without its limits and descriptions.
 *
 * What benih refuses (a policy, an allow-list, a quota, a model's error) is told in the words the HTTP API uses;
 * anything else is logged, and the client is given the request id to look it up by.
 */
export function mcpTool<S extends z.ZodObject>(
  request: FastifyRequest,
  t: { name: string; title: string; description: string; input: S; annotations: ToolAnnotations },
  run: (args: z.output<S>, signal: AbortSignal) => Promise<CallToolResult>,
): McpTool {
  const { input, ...shown } = t;
  return {
    definition: { ...shown, inputSchema: z.toJSONSchema(input, { io: "input" }) as Tool["inputSchema"] },
    async call(args, signal) {
      const parsed = input.safeParse(args ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return toolError(`${issue.path.join(".") || "arguments"}: ${issue.message}`);
      }
      try {
        return await run(parsed.data, signal);
      } catch (err) {
        if (err instanceof GatewayError || err instanceof ModelError) return toolError(err.message);
        request.log.error({ err, tool: t.name }, "an MCP tool failed");
        return toolError(`${t.name} failed on the server (request ${request.id}); its log says why.`);
      }
    },
  };
}
