import { z } from "zod";
import { command, createRun, logBatch, metricsBatch, registration, report } from "./http.ts";

const json = (schema: object) => ({ "application/json": { schema } });
const body = (schema: z.ZodType) => ({ required: true, content: json(z.toJSONSchema(schema, { io: "input" })) });
const ok = (description: string) => ({ description, content: json({ type: "object" }) });
const err = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { description: "An error: { error: { message, details? } }", content: json({ type: "object" }) }]));
const path = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
const agent = { tags: ["control: agents"], security: [{ agentToken: [] }] };
const admin = { tags: ["control: runs"] };

/** The control plane's part of the OpenAPI document: the agents' side and the admins' side. */
export function controlOpenApi() {
  return {
    paths: {
      "/control/v1/agents": { post: { ...agent, summary: "Register a cluster (its region must be the token's)", requestBody: body(registration), responses: { "200": ok("{ agentId }"), ...err(400, 401, 403) } } },
      "/control/v1/agents/{id}/commands": {
        get: { ...agent, summary: "Long-poll for commands (also a heartbeat)", parameters: [path("id"), { name: "waitMs", in: "query", schema: { type: "integer", maximum: 60000 } }], responses: { "200": ok("{ commands: [...] }"), ...err(401, 403, 404) } },
      },
      "/control/v1/agents/{id}/heartbeat": { post: { ...agent, summary: "Heartbeat", parameters: [path("id")], responses: { "204": { description: "Seen" }, ...err(401, 403, 404) } } },
      "/control/v1/runs/{id}/metrics": {
        post: { ...agent, summary: "Metric points of a run (a batch sent again is absorbed)", parameters: [path("id")], requestBody: body(metricsBatch), responses: { "204": { description: "Stored" }, ...err(400, 401, 403, 404, 409) } },
        get: { ...admin, summary: "Loss, learning rate and tokens/s, min/max-downsampled for charts", parameters: [path("id"), { name: "buckets", in: "query", schema: { type: "integer" } }, { name: "from", in: "query", schema: { type: "integer" } }, { name: "to", in: "query", schema: { type: "integer" } }], responses: { "200": ok("{ points, loss, lr, tokensPerSecond }"), ...err(403) } },
      },
      "/control/v1/runs/{id}/logs": {
        post: { ...agent, summary: "Trainer log lines (keyed by attempt and byte offset)", parameters: [path("id")], requestBody: body(logBatch), responses: { "204": { description: "Stored" }, ...err(400, 401, 403, 404, 409) } },
        get: { ...admin, summary: "The log's tail", parameters: [path("id"), { name: "limit", in: "query", schema: { type: "integer", maximum: 5000 } }], responses: { "200": ok("{ lines }"), ...err(403) } },
      },
      "/control/v1/runs/{id}/reports": { post: { ...agent, summary: "A state change or a checkpoint record", parameters: [path("id")], requestBody: body(report), responses: { "204": { description: "Recorded" }, ...err(400, 401, 403, 404, 409) } } },
      "/control/v1/runs": {
        get: { ...admin, summary: "Runs, newest first", responses: { "200": ok("{ runs }"), ...err(403) } },
        post: { ...admin, summary: "Create and place a run (422 with every cluster's reasons when it can go nowhere)", requestBody: body(createRun), responses: { "201": ok("{ id, placement }"), ...err(400, 403, 422) } },
      },
      "/control/v1/runs/{id}": { get: { ...admin, summary: "A run with its placement, history and checkpoints", parameters: [path("id")], responses: { "200": ok("{ run, events, checkpoints, lastCheckpoint }"), ...err(403, 404) } } },
      "/control/v1/runs/{id}/commands": { post: { ...admin, summary: "pause, resume, stop or checkpoint (409 with the reason when the run's state does not allow it)", parameters: [path("id")], requestBody: body(command), responses: { "202": ok("{ accepted }"), ...err(400, 403, 404, 409) } } },
      "/control/v1/fleet": { get: { ...admin, summary: "Registered clusters, with what runs use", responses: { "200": ok("{ clusters }"), ...err(403) } } },
      "/control/v1/datasets": { get: { ...admin, summary: "Configured datasets and recipes", responses: { "200": ok("{ datasets, recipes }"), ...err(403) } } },
    },
  };
}
