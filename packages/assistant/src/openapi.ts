import { z } from "zod";
import { imageBody } from "./images/routes.ts";
import { mcpOpenApiPaths } from "./mcp/openapi.ts";
import { mcpClientOpenApiPaths } from "./mcp-client/openapi.ts";
import { memoryOpenApiPaths } from "./memory/openapi.ts";
import {
  agentBody,
  agentPatch,
  agentView,
  conversationView as conversationShape,
  createConversationBody as createBody,
  feedbackBody,
  feedbackView,
  IMAGE_UPLOAD_TYPES,
  imageView,
  kbPassagesView,
  messageBody,
  messageView,
  regenerateBody,
  updateConversationBody as patchBody,
} from "@benih/contracts";
import { skills as builtInSkills, type SkillRegistry } from "./skills/registry.ts";
import { speechBody } from "./skills/voice/speech-routes.ts";
import { videoBody } from "./video/routes.ts";

const json = (schema: object) => ({ "application/json": { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const err = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: "An error", content: json(ref("Error")) }]));
const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
const messageId = { name: "messageId", in: "path", required: true, schema: { type: "string" } };
const body = (schema: z.ZodType) => ({ required: true, content: json(z.toJSONSchema(schema, { io: "input" })) });
const events = {
  description:
    "Server-sent events: `user` (the message posted), `answer` ({ id, parent_id, model, meta }), `delta` ({ text }) as the answer streams (with `tool` (a ToolCall) as an agent's MCP tool calls begin and end, and `confirm` ({ call, expiresInSeconds }) when one waits for your OK: POST …/tool-calls/{callId}), then `done` ({ id, status: done | stopped | failed, meta?, finishReason?, error? }). Closing the connection stops the answer; what came is kept.",
  content: { "text/event-stream": { schema: { type: "string" } } },
};

const shape = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "output", unrepresentable: "any" });

/** A message's body: `skill` one of the registry's, `options` as that skill takes them. */
function messageBodyOf(skills: SkillRegistry) {
  const schema = z.toJSONSchema(messageBody, { io: "input" }) as { properties: Record<string, object> };
  schema.properties.skill = { type: "string", enum: skills.ids(), description: "A skill chosen for this message, run with options" };
  schema.properties.options = {
    description: "The chosen skill's options",
    anyOf: skills.chips().map((s) => ({ title: s.id, ...z.toJSONSchema(s.options, { io: "input" }) })),
  };
  return { required: true, content: json(schema) };
}

/** The assistant's part of the OpenAPI document, describing the skills of `skills`. */
export function assistantOpenApi(skills: SkillRegistry = builtInSkills) {
  const conversationView = {
    type: "object",
    properties: {
      conversation: ref("Conversation"),
      messages: { type: "array", items: ref("Message") },
      thread: { type: "array", items: { type: "string" }, description: "Ids of the branch shown, first to last" },
    },
  };
  return {
    paths: {
      "/v1/conversations": {
        get: {
          tags: ["assistant"],
          summary: "The caller's conversations, newest first",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } },
            { name: "before", in: "query", schema: { type: "integer" }, description: "updated_at to page on from" },
          ],
          responses: {
            "200": {
              description: "{ data: Conversation[] }",
              content: json({ type: "object", properties: { data: { type: "array", items: ref("Conversation") } } }),
            },
            ...err(401),
          },
        },
        post: {
          tags: ["assistant"],
          summary: "Start a conversation",
          requestBody: body(createBody),
          responses: { "201": { description: "The conversation", content: json(ref("Conversation")) }, ...err(400, 401) },
        },
      },
      "/v1/conversations/search": {
        get: {
          tags: ["assistant"],
          summary: "Conversations whose title or messages contain q (case-insensitive)",
          parameters: [{ name: "q", in: "query", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "{ data: (Conversation & { match })[] }", content: json({ type: "object" }) },
            ...err(400, 401),
          },
        },
      },
      "/v1/conversations/{id}": {
        get: {
          tags: ["assistant"],
          summary: "A conversation with every message of every branch",
          parameters: [id],
          responses: { "200": { description: "The conversation", content: json(conversationView) }, ...err(401, 404) },
        },
        patch: {
          tags: ["assistant"],
          summary: "Rename, change model, or show another branch (leaf: any message; the newest answer below it is shown)",
          parameters: [id],
          requestBody: body(patchBody),
          responses: { "200": { description: "The conversation", content: json(conversationView) }, ...err(400, 401, 404) },
        },
        delete: {
          tags: ["assistant"],
          summary: "Delete a conversation",
          parameters: [id],
          responses: { "204": { description: "Deleted" }, ...err(401, 404) },
        },
      },
      "/v1/conversations/{id}/export": {
        get: {
          tags: ["assistant"],
          summary: "The branch shown, as Markdown (headings in ?lang=: zh, en or id)",
          parameters: [id, { name: "lang", in: "query", schema: { enum: ["zh", "en", "id"] } }],
          responses: { "200": { description: "Markdown", content: { "text/markdown": { schema: { type: "string" } } } }, ...err(401, 404) },
        },
      },
      "/v1/conversations/{id}/messages": {
        post: {
          tags: ["assistant"],
          summary: "Post a message and stream its answer (parentId: an earlier message's parent edits it, as a new branch)",
          parameters: [id],
          requestBody: messageBodyOf(skills),
          responses: {
            "200": events,
            ...err(400, 401, 404),
            "413": {
              description:
                "images_too_large: the images attached take more, as the model reads them (base64), than one message may carry (limits.images.perMessageMb); nothing is kept",
              content: json(ref("Error")),
            },
          },
        },
      },
      "/v1/conversations/{id}/messages/{messageId}/regenerate": {
        post: {
          tags: ["assistant"],
          summary: "Answer a question again (name the answer or its question); the new answer is a sibling of the old",
          parameters: [id, messageId],
          requestBody: body(regenerateBody),
          responses: { "200": events, ...err(400, 401, 404) },
        },
      },
      "/v1/conversations/{id}/messages/{messageId}/stop": {
        post: {
          tags: ["assistant"],
          summary: "Stop an answer while it streams, whichever instance streams it; its text so far is kept as stopped",
          parameters: [id, messageId],
          responses: {
            "202": {
              description: "The answer is being stopped",
              content: json({ type: "object", properties: { id: { type: "string" }, status: { const: "stopping" } } }),
            },
            ...err(401, 404, 409),
          },
        },
      },
      "/v1/conversations/{id}/messages/{messageId}/feedback": {
        put: {
          tags: ["assistant"],
          summary: "Rate an answer up or down, with an optional comment (rating null takes it back)",
          parameters: [id, messageId],
          requestBody: body(feedbackBody),
          responses: { "200": { description: "The answer, rated", content: json(ref("Message")) }, ...err(400, 401, 404) },
        },
      },
      "/v1/feedback": {
        get: {
          tags: ["assistant"],
          summary: "Rated answers of the request's market with their questions, newest first (admins)",
          parameters: [
            { name: "rating", in: "query", schema: { enum: ["up", "down"] } },
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } },
          ],
          responses: {
            "200": {
              description: "{ data: Feedback[] }",
              content: json({ type: "object", properties: { data: { type: "array", items: shape(feedbackView) } } }),
            },
            ...err(400, 401, 403),
          },
        },
      },
      "/v1/agents": {
        get: {
          tags: ["assistant"],
          summary: "The built-in agents (their starters in ?lang=, else the market's default locale) and the caller's own",
          parameters: [{ name: "lang", in: "query", schema: { type: "string" }, description: "zh, en or id" }],
          responses: {
            "200": {
              description: "{ data: Agent[] }",
              content: json({ type: "object", properties: { data: { type: "array", items: ref("Agent") } } }),
            },
            ...err(401),
          },
        },
        post: {
          tags: ["assistant"],
          summary: "Make an agent: name, instructions, model (null: the market's default), skills, starter prompts",
          requestBody: body(agentBody),
          responses: { "201": { description: "The agent", content: json(ref("Agent")) }, ...err(400, 401) },
        },
      },
      "/v1/agents/{id}": {
        patch: {
          tags: ["assistant"],
          summary: "Change one of the caller's agents (built-in ones: 403)",
          parameters: [id],
          requestBody: body(agentPatch),
          responses: { "200": { description: "The agent", content: json(ref("Agent")) }, ...err(400, 401, 403, 404) },
        },
        delete: {
          tags: ["assistant"],
          summary: "Delete one of the caller's agents",
          parameters: [id],
          responses: { "204": { description: "Deleted" }, ...err(401, 403, 404) },
        },
      },
      "/v1/audio/speech": {
        post: {
          tags: ["audio"],
          summary:
            "Speak text (OpenAI's wire format): `espeak-ng` offline in the market's language, or a configured speech model; audio streamed as it comes. Counts its seconds against the caller's audioSecondsPerDay (429 insufficient_quota past it)",
          requestBody: body(speechBody),
          responses: {
            "200": {
              description: "The audio, in response_format",
              content: { "audio/mpeg": { schema: { type: "string", format: "binary" } } },
            },
            ...err(400, 401, 404, 429, 502, 503),
          },
        },
      },
      ...Object.fromEntries(
        (["transcriptions", "translations"] as const).map((task) => [
          `/v1/audio/${task}`,
          {
            post: {
              tags: ["audio"],
              summary:
                task === "transcriptions"
                  ? "Transcribe a recording (OpenAI's wire format) with a configured speech recognition model; stream=true answers server-sent events (transcript.text.delta, then transcript.text.done) where the provider streams (gpt-4o-transcribe, gpt-4o-mini-transcribe; not whisper-1: 400 stream_not_supported). Counts the recording's seconds against the caller's audioSecondsPerDay (429 insufficient_quota past it)"
                  : "Transcribe a recording into English (OpenAI's wire format) with a configured speech recognition model; does not stream. Counts the recording's seconds against the caller's audioSecondsPerDay (429 insufficient_quota past it)",
              requestBody: {
                required: true,
                content: {
                  "multipart/form-data": {
                    schema: {
                      type: "object",
                      required: ["file"],
                      properties: {
                        file: { type: "string", format: "binary" },
                        model: { type: "string", description: "Left out: the first speech recognition model the market allows" },
                        language: { type: "string" },
                        prompt: { type: "string" },
                        response_format: { type: "string", enum: ["json", "text", "srt", "verbose_json", "vtt"] },
                        temperature: { type: "number" },
                        ...(task === "transcriptions" && {
                          stream: { type: "boolean", description: "Server-sent events as the transcript comes, where the model streams" },
                        }),
                      },
                    },
                  },
                },
              },
              responses: {
                "200": {
                  description:
                    task === "transcriptions"
                      ? "The transcript: { text } (json), or text, srt, vtt, verbose_json; with stream=true, server-sent events, a blocked term ending them with an error event"
                      : "The transcript: { text } (json), or text, srt, vtt, verbose_json",
                  content:
                    task === "transcriptions"
                      ? { ...json({ type: "object" }), "text/event-stream": { schema: { type: "string" } } }
                      : json({ type: "object" }),
                },
                ...err(400, 401, 404, 413, 429, 502),
              },
            },
          },
        ]),
      ),
      "/v1/images/generations": {
        post: {
          tags: ["images"],
          summary: "Create images (OpenAI's wire format): urls to kept images, or base64",
          requestBody: body(imageBody),
          responses: {
            "200": { description: "{ created, data: [{ url | b64_json, revised_prompt? }] }", content: json({ type: "object" }) },
            ...err(400, 401, 404, 413, 502),
          },
        },
      },
      "/v1/images/edits": {
        post: {
          tags: ["images"],
          summary: "Change an image as the prompt says (OpenAI's multipart form: image, prompt, model?, n?, size?, response_format?)",
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["image", "prompt"],
                  properties: {
                    image: { type: "string", format: "binary" },
                    prompt: { type: "string" },
                    model: { type: "string" },
                    n: { type: "integer" },
                    size: { type: "string" },
                    response_format: { enum: ["url", "b64_json"] },
                  },
                },
              },
            },
          },
          responses: { "200": { description: "As for generations", content: json({ type: "object" }) }, ...err(400, 401, 404, 413, 502) },
        },
      },
      "/v1/images/uploads": {
        post: {
          tags: ["images"],
          summary:
            "Keep an image of the caller's own, to go with a message (its id in `images`): the image as the body (content-type image/png, image/jpeg, image/webp or image/gif) or as the `image` file of a multipart form. Up to the upload limit (assistant.uploadMaxMb) and 8192×8192 pixels; its bytes must be the type it is sent as. A key keeps images, uploaded and drawn, up to limits.images.perPersonMb: past it, 413 image_quota_exceeded, before the image is kept",
          requestBody: {
            required: true,
            content: {
              ...Object.fromEntries(IMAGE_UPLOAD_TYPES.map((t) => [t, { schema: { type: "string", format: "binary" } }])),
              "multipart/form-data": {
                schema: { type: "object", required: ["image"], properties: { image: { type: "string", format: "binary" } } },
              },
            },
          },
          responses: {
            "201": { description: "The kept image ({ id, url, model: upload, size, seed: null })", content: json(shape(imageView)) },
            ...err(400, 401, 413, 415, 422),
          },
        },
      },
      "/v1/images/{id}": {
        get: {
          tags: ["images"],
          summary: "A kept image's bytes (of the type they are, X-Content-Type-Options: nosniff)",
          parameters: [id],
          responses: {
            "200": {
              description: "The image",
              content: Object.fromEntries(IMAGE_UPLOAD_TYPES.map((t) => [t, { schema: { type: "string", format: "binary" } }])),
            },
            ...err(401, 404),
          },
        },
        delete: {
          tags: ["images"],
          summary:
            "Delete one of the caller's images, uploaded or drawn, freeing its room in their quota (messages that showed it keep its view)",
          parameters: [id],
          responses: { "204": { description: "Deleted" }, ...err(401, 404) },
        },
      },
      "/v1/videos": {
        post: {
          tags: ["videos"],
          summary: "Start a video job (202); without a video model, an ffmpeg slideshow of the prompt",
          requestBody: body(videoBody),
          responses: { "202": { description: "The job", content: json({ type: "object" }) }, ...err(400, 401, 404) },
        },
      },
      "/v1/videos/{id}": {
        get: {
          tags: ["videos"],
          summary: "Where a video job stands: status, progress, content_url once done",
          parameters: [id],
          responses: { "200": { description: "The job", content: json({ type: "object" }) }, ...err(401, 404) },
        },
      },
      "/v1/videos/{id}/content": {
        get: {
          tags: ["videos"],
          summary: "The finished video (MP4)",
          parameters: [id],
          responses: {
            "200": { description: "MP4", content: { "video/mp4": { schema: { type: "string", format: "binary" } } } },
            ...err(401, 404),
          },
        },
      },
      "/v1/translate/documents": {
        post: {
          tags: ["assistant"],
          summary: "Translate a whole document (the file is the body): progress and the translation as server-sent events",
          parameters: [
            { name: "name", in: "query", required: true, schema: { type: "string" } },
            { name: "target", in: "query", required: true, schema: { type: "string" } },
            { name: "model", in: "query", schema: { type: "string" } },
            { name: "glossary", in: "query", schema: { type: "string" }, description: "A JSON object: term → translation" },
          ],
          requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
          responses: {
            "200": {
              description: "Events: progress { done, total }, then done { name, markdown } or error",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
            ...err(400, 401, 413, 422),
          },
        },
      },
      "/v1/knowledge/documents": {
        get: {
          tags: ["knowledge"],
          summary: "The caller's documents and the shared starter corpus",
          responses: {
            "200": {
              description: "{ data: Document[] }",
              content: json({ type: "object", properties: { data: { type: "array", items: ref("Document") } } }),
            },
            ...err(401),
          },
        },
        post: {
          tags: ["knowledge"],
          summary: "Upload a document (.pdf, .docx, .md, .html, .txt): the file is the body, its name in ?name=",
          parameters: [{ name: "name", in: "query", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
          responses: { "201": { description: "The document, indexed", content: json(ref("Document")) }, ...err(400, 401, 413, 422) },
        },
      },
      "/v1/knowledge/documents/{id}": {
        delete: {
          tags: ["knowledge"],
          summary: "Delete one of the caller's documents",
          parameters: [id],
          responses: { "204": { description: "Deleted" }, ...err(401, 404) },
        },
      },
      "/v1/knowledge/documents/{id}/passages": {
        get: {
          tags: ["knowledge"],
          summary: "A document the caller may read (theirs or shared), passage by passage as it was read (the first 2,000)",
          parameters: [id],
          responses: { "200": { description: "The document and its passages", content: json(shape(kbPassagesView)) }, ...err(401, 404) },
        },
      },
      "/v1/knowledge/documents/{id}/embedding": {
        post: {
          tags: ["knowledge"],
          summary: "Try a document's failed embedding again (markets with an embedding model); its progress shows in the list",
          parameters: [id],
          responses: { "202": { description: "{ id, model }: embedding again, in the background" }, ...err(400, 401, 404) },
        },
      },
      "/v1/knowledge/search": {
        get: {
          tags: ["knowledge"],
          summary: "The passages that best match q (full text; Chinese split into words)",
          parameters: [
            { name: "q", in: "query", required: true, schema: { type: "string" } },
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 50 } },
          ],
          responses: {
            "200": { description: "{ data: [{ documentId, title, source, page, text, score }] }", content: json({ type: "object" }) },
            ...err(400, 401),
          },
        },
      },
      ...mcpOpenApiPaths,
      ...mcpClientOpenApiPaths,
      ...memoryOpenApiPaths,
    },
    schemas: {
      Document: {
        type: "object",
        properties: {
          id: { type: "string" },
          title: { type: "string" },
          source: { type: "string" },
          mime: { type: "string" },
          bytes: { type: "integer" },
          chunks: { type: "integer" },
          pages: { type: ["integer", "null"] },
          created_at: { type: "integer" },
          embedding: {
            type: "object",
            description: "With the market's embedding model: passages embedded of all, and why it stopped (or null)",
            properties: {
              model: { type: "string" },
              done: { type: "integer" },
              total: { type: "integer" },
              error: { type: ["string", "null"] },
            },
          },
        },
      },
      Conversation: shape(conversationShape),
      Message: shape(messageView),
      Agent: shape(agentView),
    },
  };
}
