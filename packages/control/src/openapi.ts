import { z } from "zod";
import {
  agentCommands,
  annotateRun,
  agentRegistered,
  agentRegistration,
  controlError,
  createRun,
  datasetDelivered,
  datasetReport,
  datasetsView,
  fleetView,
  logBatch,
  logTail,
  metricSeries,
  metricsBatch,
  placementDecision,
  promoteRun,
  promotionList,
  promotionView,
  rollbackModel,
  runCommandRequest,
  runCreated,
  runDetail,
  runList,
  runReport,
  runScores,
  runView,
} from "@benih/contracts";

const json = (schema: object) => ({ "application/json": { schema } });
const body = (schema: z.ZodType) => ({ required: true, content: json(z.toJSONSchema(schema, { io: "input" })) });
const ok = (description: string, schema: z.ZodType) => ({ description, content: json(z.toJSONSchema(schema, { io: "output" })) });
const err = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [String(c), { description: "An error", content: json(z.toJSONSchema(controlError, { io: "output" })) }]),
  );
const path = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
const agent = { tags: ["control: agents"], security: [{ agentToken: [] }] };
const admin = { tags: ["control: runs"] };

/** The control plane's part of the OpenAPI document: the agents' side and the admins' side. */
export function controlOpenApi() {
  return {
    paths: {
      "/control/v1/agents": {
        post: {
          ...agent,
          summary: "Register a cluster (its region must be the token's)",
          requestBody: body(agentRegistration),
          responses: { "200": ok("The agent's id", agentRegistered), ...err(400, 401, 403) },
        },
      },
      "/control/v1/agents/{id}/commands": {
        get: {
          ...agent,
          summary: "Long-poll for commands (also a heartbeat)",
          parameters: [path("id"), { name: "waitMs", in: "query", schema: { type: "integer", maximum: 60000 } }],
          responses: { "200": ok("Commands for the agent (none when the wait ended)", agentCommands), ...err(401, 403, 404) },
        },
      },
      "/control/v1/agents/{id}/heartbeat": {
        post: {
          ...agent,
          summary: "Heartbeat",
          parameters: [path("id")],
          responses: { "204": { description: "Seen" }, ...err(401, 403, 404) },
        },
      },
      "/control/v1/runs/{id}/metrics": {
        post: {
          ...agent,
          summary: "Metric points of a run (a batch sent again is absorbed)",
          parameters: [path("id")],
          requestBody: body(metricsBatch),
          responses: { "204": { description: "Stored" }, ...err(400, 401, 403, 404, 409) },
        },
        get: {
          ...admin,
          summary: "Loss, learning rate and tokens/s, min/max-downsampled for charts",
          parameters: [
            path("id"),
            { name: "buckets", in: "query", schema: { type: "integer" } },
            { name: "from", in: "query", schema: { type: "integer" } },
            { name: "to", in: "query", schema: { type: "integer" } },
          ],
          responses: { "200": ok("Point count and downsampled series", metricSeries), ...err(403) },
        },
      },
      "/control/v1/runs/{id}/logs": {
        post: {
          ...agent,
          summary: "Trainer log lines (keyed by attempt and byte offset)",
          parameters: [path("id")],
          requestBody: body(logBatch),
          responses: { "204": { description: "Stored" }, ...err(400, 401, 403, 404, 409) },
        },
        get: {
          ...admin,
          summary: "The log's tail",
          parameters: [path("id"), { name: "limit", in: "query", schema: { type: "integer", maximum: 5000 } }],
          responses: { "200": ok("The last lines, oldest first", logTail), ...err(403) },
        },
      },
      "/control/v1/runs/{id}/reports": {
        post: {
          ...agent,
          summary: "A state change or a checkpoint record",
          parameters: [path("id")],
          requestBody: body(runReport),
          responses: { "204": { description: "Recorded" }, ...err(400, 401, 403, 404, 409) },
        },
      },
      "/control/v1/runs/{id}/scores": {
        post: {
          ...agent,
          summary: "A finished run's scores, evaluated in its region (they replace any sent before)",
          parameters: [path("id")],
          requestBody: body(runScores),
          responses: { "204": { description: "Recorded" }, ...err(400, 401, 403, 404, 409) },
        },
      },
      "/control/v1/placements": {
        post: {
          ...admin,
          summary: "Where a run would go now, and why not elsewhere; nothing is created",
          requestBody: body(createRun),
          responses: {
            "200": ok("The placement decision (placed absent when it can go nowhere)", placementDecision),
            ...err(400, 403, 422),
          },
        },
      },
      "/control/v1/runs": {
        get: { ...admin, summary: "Runs, newest first", responses: { "200": ok("Runs", runList), ...err(403) } },
        post: {
          ...admin,
          summary: "Create and place a run (422 with every cluster's reasons when it can go nowhere)",
          requestBody: body(createRun),
          responses: { "201": ok("The run and where it went", runCreated), ...err(400, 403, 422) },
        },
      },
      "/control/v1/runs/{id}": {
        get: {
          ...admin,
          summary: "A run with its placement, history and checkpoints",
          parameters: [path("id")],
          responses: { "200": ok("The run", runDetail), ...err(403, 404) },
        },
        patch: {
          ...admin,
          summary: "Set the run's tags, its note, or both",
          parameters: [path("id")],
          requestBody: body(annotateRun),
          responses: { "200": ok("The run", runView), ...err(400, 403, 404) },
        },
      },
      "/control/v1/runs/{id}/commands": {
        post: {
          ...admin,
          summary: "pause, resume, stop or checkpoint (409 with the reason when the run's state does not allow it)",
          parameters: [path("id")],
          requestBody: body(runCommandRequest),
          responses: { "202": { description: "Accepted: { accepted: true }" }, ...err(400, 403, 404, 409) },
        },
      },
      "/control/v1/runs/{id}/promote": {
        post: {
          ...admin,
          summary:
            "Serve the succeeded run's model in its market under a local model id (default: the market's chat model), without a restart (409: not finished, no model, or not readable here; 422: another market's run or an id it cannot replace)",
          parameters: [path("id")],
          requestBody: body(promoteRun),
          responses: { "201": ok("The promotion, as audited", promotionView), ...err(400, 403, 404, 409, 422) },
        },
      },
      "/control/v1/promotions": {
        get: {
          ...admin,
          summary: "Every promotion and rollback, newest first, and what each promoted id serves now",
          responses: { "200": ok("The audit", promotionList), ...err(403) },
        },
      },
      "/control/v1/promotions/rollback": {
        post: {
          ...admin,
          summary: "Serve again what the model id served before its last promotion in force (409 when there is none)",
          requestBody: body(rollbackModel),
          responses: { "201": ok("The rollback, as audited", promotionView), ...err(400, 403, 409, 422) },
        },
      },
      "/control/v1/fleet": {
        get: { ...admin, summary: "Registered clusters, with what runs use", responses: { "200": ok("Clusters", fleetView), ...err(403) } },
      },
      "/control/v1/datasets": {
        get: {
          ...admin,
          summary: "Configured and uploaded datasets, and recipes",
          responses: { "200": ok("Datasets and recipe names", datasetsView), ...err(403) },
        },
        post: {
          ...admin,
          summary:
            "Upload a dataset (JSON lines, one example each) for a market: streamed to an agent of its region, which checks it line by line and keeps it there; never stored here",
          parameters: [
            { name: "market", in: "query", required: true, schema: { type: "string" } },
            { name: "name", in: "query", required: true, schema: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]{0,63}$" } },
            { name: "region", in: "query", schema: { type: "string" }, description: "when the market's data lives in several regions" },
            {
              name: "split",
              in: "query",
              schema: { type: "string", enum: ["train", "validation", "eval"], default: "train" },
              description: "train makes the dataset; validation and eval add to one uploaded before",
            },
          ],
          requestBody: { required: true, content: { "application/x-ndjson": { schema: { type: "string", format: "binary" } } } },
          responses: {
            "201": ok("Kept in its region: the agent's report", datasetReport),
            "422": {
              description: "Refused by its region's agent (details: the report, naming broken lines) or no region for the market",
              content: json(z.toJSONSchema(controlError, { io: "output" })),
            },
            ...err(400, 403, 409, 413, 504),
          },
        },
      },
      "/control/v1/uploads/{id}": {
        get: {
          ...agent,
          summary: "An upload's bytes, streamed from the uploader to the agent of its region (once)",
          parameters: [path("id")],
          responses: {
            "200": { description: "The dataset's JSON lines", content: { "application/x-ndjson": {} } },
            ...err(401, 403, 404, 409),
          },
        },
      },
      "/control/v1/uploads/{id}/report": {
        post: {
          ...agent,
          summary: "What the agent found in an upload, and where it keeps it when whole",
          parameters: [path("id")],
          requestBody: body(datasetDelivered),
          responses: { "204": { description: "Recorded" }, ...err(400, 401, 403, 404) },
        },
      },
    },
  };
}
