import { toolCallDecisionBody } from "@benih/contracts";
import { z } from "zod";

const json = (schema: object) => ({ "application/json": { schema } });
const error = { description: "An error", content: json({ $ref: "#/components/schemas/Error" }) };
const path = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });

/** The MCP tools agents use, in the OpenAPI document. */
export const mcpClientOpenApiPaths = {
  "/v1/mcp/tools": {
    get: {
      tags: ["assistant"],
      summary:
        "The MCP tools this market's agents may use (benih.yaml's mcp:, allow-listed tools only), as their servers describe them; agents name them as mcp:<server>/<tool>",
      responses: {
        "200": {
          description: "{ data: McpTool[], errors: the servers that could not be reached, and why }",
          content: json({
            type: "object",
            properties: {
              data: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    id: { type: "string", description: "mcp:<server>/<tool>" },
                    server: { type: "string" },
                    tool: { type: "string" },
                    title: { type: "string" },
                    description: { type: "string" },
                    inputSchema: { type: "object", description: "The tool's arguments, as a JSON Schema" },
                    confirm: { type: "boolean", description: "Each call waits for the person's OK" },
                  },
                },
              },
              errors: {
                type: "array",
                items: { type: "object", properties: { server: { type: "string" }, message: { type: "string" } } },
              },
            },
          }),
        },
        "401": error,
      },
    },
  },
  "/v1/conversations/{id}/messages/{messageId}/tool-calls/{callId}": {
    post: {
      tags: ["assistant"],
      summary:
        "Approve or decline a call to an MCP tool that waits for your OK (the answer's stream sent `confirm` with it); declined, the model is told so",
      parameters: [path("id"), path("messageId"), path("callId")],
      requestBody: { required: true, content: json(z.toJSONSchema(toolCallDecisionBody, { io: "input" })) },
      responses: {
        "202": {
          description: "The call goes on, or is not made",
          content: json({ type: "object", properties: { id: { type: "string" }, approve: { type: "boolean" } } }),
        },
        "400": error,
        "401": error,
        "404": error,
        "409": { ...error, description: "not_waiting: the call was decided already, timed out, or its answer ended" },
      },
    },
  },
};
