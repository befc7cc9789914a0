import { memoryBody, memoryExport, memoryList, memorySettingsBody, memoryView } from "@benih/contracts";
import { z } from "zod";

const json = (schema: object) => ({ "application/json": { schema } });
const shape = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "output", unrepresentable: "any" });
const body = (schema: z.ZodType) => ({ required: true, content: json(z.toJSONSchema(schema, { io: "input" })) });
const err = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: "An error", content: json({ $ref: "#/components/schemas/Error" }) }]));
const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
const tags = ["memories"];

/** /v1/memories in the OpenAPI document: the caller's own memories, in the request's market's store. */
export const memoryOpenApiPaths = {
  "/v1/memories": {
    get: {
      tags,
      summary: "The caller's memories, newest first, whether memory is on, and how many may be kept",
      responses: { "200": { description: "The memories", content: json(shape(memoryList)) }, ...err(401) },
    },
    post: {
      tags,
      summary: "Remember something (at most 500 characters; 409 memory_limit past 200 memories; the market's content policy applies)",
      requestBody: body(memoryBody),
      responses: { "201": { description: "The memory", content: json(shape(memoryView)) }, ...err(400, 401, 409) },
    },
    delete: {
      tags,
      summary: "Delete every memory of the caller",
      responses: {
        "200": { description: "How many were deleted", content: json({ type: "object", properties: { deleted: { type: "integer" } } }) },
        ...err(401),
      },
    },
  },
  "/v1/memories/{id}": {
    patch: {
      tags,
      summary: "Change one of the caller's memories",
      parameters: [id],
      requestBody: body(memoryBody),
      responses: { "200": { description: "The memory", content: json(shape(memoryView)) }, ...err(400, 401, 404) },
    },
    delete: {
      tags,
      summary: "Delete one of the caller's memories",
      parameters: [id],
      responses: { "204": { description: "Deleted" }, ...err(401, 404) },
    },
  },
  "/v1/memories/export": {
    get: {
      tags,
      summary: "Every memory of the caller, as a JSON download",
      responses: { "200": { description: "The memories", content: json(shape(memoryExport)) }, ...err(401) },
    },
  },
  "/v1/memories/settings": {
    put: {
      tags,
      summary: "Turn memory on or off: off, no memory goes into answers and nothing new is remembered",
      requestBody: body(memorySettingsBody),
      responses: {
        "200": { description: "The setting", content: json(shape(memorySettingsBody)) },
        ...err(400, 401),
      },
    },
  },
};
