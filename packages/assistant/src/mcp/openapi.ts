const error = { description: "An error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
const stateless = { "405": { description: "Not offered: the server is stateless; send each message as a POST" } };

/** /mcp in the OpenAPI document: its messages are MCP's own (JSON-RPC 2.0), described by the MCP specification. */
export const mcpOpenApiPaths = {
  "/mcp": {
    post: {
      tags: ["mcp"],
      summary:
        "Model Context Protocol over Streamable HTTP (stateless): point an MCP client here with your API key. Tools: search_knowledge, translate, generate_image; each message counts as one request",
      requestBody: {
        required: true,
        content: { "application/json": { schema: { type: "object", description: "An MCP JSON-RPC message" } } },
      },
      responses: {
        "200": { description: "The JSON-RPC response", content: { "application/json": { schema: { type: "object" } } } },
        "202": { description: "A notification, accepted" },
        "401": error,
        "413": error,
        "429": error,
      },
    },
    get: { tags: ["mcp"], summary: "No server-sent stream", responses: stateless },
    delete: { tags: ["mcp"], summary: "No session to end", responses: stateless },
  },
};
