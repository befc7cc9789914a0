import { readFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { FastifyRequest } from "fastify";
import type { ImageRoutesOptions } from "../images/routes.ts";
import type { SkillServices } from "../skills/skill.ts";
import { generateImage } from "./generate-image.ts";
import { searchKnowledge } from "./search-knowledge.ts";
import { translate, type TranslateToolOptions } from "./translate.ts";

const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

export interface McpToolsOptions extends TranslateToolOptions {
  knowledgeFor: SkillServices["knowledgeFor"];
  images: ImageRoutesOptions;
}

/**
 * benih's MCP server for one request: its tools act as the request's caller, in the request's market (the
 * gateway authenticated the request and resolved its market before this is built).
 */
export function mcpServerFor(request: FastifyRequest, o: McpToolsOptions): McpServer {
  const tools = [searchKnowledge(request, o.knowledgeFor), translate(request, o), generateImage(request, o.images)];
  const mcp = new McpServer(
    { name: "benih", title: "benih", version },
    {
      capabilities: { tools: {} },
      instructions:
        "benih is the user's own assistant server: search_knowledge finds passages in the documents they uploaded, translate translates text, generate_image draws an image.",
    },
  );
  // The tools' handlers are set on the protocol server itself (see mcpTool for why not registerTool).
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.map((t) => t.definition) }));
  mcp.server.setRequestHandler(CallToolRequestSchema, (call, extra) => {
    const tool = tools.find((t) => t.definition.name === call.params.name);
    if (!tool)
      throw new McpError(
        ErrorCode.InvalidParams,
        `There is no tool ${call.params.name}; benih has ${tools.map((t) => t.definition.name).join(", ")}`,
      );
    return tool.call(call.params.arguments, extra.signal);
  });
  return mcp;
}
