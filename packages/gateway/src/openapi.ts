import { z } from "zod";
import { embeddingsRequest, embeddingsResponse } from "./openai-wire/embeddings-schema.ts";
import { chatCompletionRequest } from "./openai-wire/request-schema.ts";

const error = { $ref: "#/components/schemas/Error" };
export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [String(c), { description: "An error, in OpenAI's shape", content: { "application/json": { schema: error } } }]),
  );

/** The gateway's part of the OpenAPI document: OpenAI's chat completions, embeddings and models, as this server serves them. */
export function gatewayOpenApi() {
  return {
    paths: {
      "/v1/chat/completions": {
        post: {
          tags: ["gateway"],
          summary: "Create a chat completion (OpenAI's wire format), streamed as server-sent events when stream is true",
          requestBody: {
            required: true,
            content: { "application/json": { schema: z.toJSONSchema(chatCompletionRequest, { io: "input", unrepresentable: "any" }) } },
          },
          responses: {
            "200": {
              description: "A chat.completion object, or chat.completion.chunk events ending with data: [DONE]",
              content: { "application/json": { schema: { type: "object" } }, "text/event-stream": { schema: { type: "string" } } },
            },
            ...errorResponses(400, 401, 404, 413, 415, 429, 502, 503, 504),
          },
        },
      },
      "/v1/embeddings": {
        post: {
          tags: ["gateway"],
          summary: "Create embeddings (OpenAI's wire format): one vector per input, as floats or base64 float32",
          requestBody: {
            required: true,
            content: { "application/json": { schema: z.toJSONSchema(embeddingsRequest, { io: "input", unrepresentable: "any" }) } },
          },
          responses: {
            "200": {
              description: "A list of embedding objects, in the inputs' order, with the tokens read",
              content: { "application/json": { schema: z.toJSONSchema(embeddingsResponse, { io: "output", unrepresentable: "any" }) } },
            },
            ...errorResponses(400, 401, 404, 413, 415, 429, 502, 503, 504),
          },
        },
      },
      "/v1/models": {
        get: {
          tags: ["gateway"],
          summary: "The models this market offers",
          responses: {
            "200": { description: "{ object: list, data: [...] }", content: { "application/json": { schema: { type: "object" } } } },
          },
        },
      },
      "/v1/models/{model}": {
        get: {
          tags: ["gateway"],
          summary: "One model (ids may contain slashes)",
          parameters: [{ name: "model", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "The model", content: { "application/json": { schema: { type: "object" } } } },
            ...errorResponses(404),
          },
        },
      },
    },
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["message", "type"],
            properties: {
              message: { type: "string" },
              type: { type: "string" },
              param: { type: ["string", "null"] },
              code: { type: ["string", "null"] },
            },
          },
        },
      },
    },
  };
}
