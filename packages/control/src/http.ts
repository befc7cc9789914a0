import type { TrainingStore } from "@benih/store";
import { access } from "@benih/gateway";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { recipes } from "@benih/trainer";
import { downsample } from "./downsample.ts";
import { ControlPlane, PlaneError } from "./plane.ts";

const name = z.string().min(1).max(128);
const node = z.strictObject({ id: name, accelerator: name, count: z.number().int().positive().max(4096), free: z.number().int().min(0).max(4096) });
export const registration = z.strictObject({ cluster: z.strictObject({ id: name, region: name, operator: name, nodes: z.array(node).max(1024) }) });
export const metricsBatch = z.strictObject({
  points: z
    .array(z.strictObject({ step: z.number().int().positive(), at: z.number().int().positive(), loss: z.number().finite(), lr: z.number().finite(), gradNorm: z.number().finite(), tokensPerSecond: z.number().finite() }))
    .min(1)
    .max(10_000),
});
export const logBatch = z.strictObject({
  lines: z
    .array(z.strictObject({ attempt: z.number().int().positive(), offset: z.number().int().min(0), at: z.number().int().positive(), text: z.string().max(4000) }))
    .min(1)
    .max(10_000),
});
export const report = z.strictObject({
  state: z.enum(["running", "paused", "succeeded", "failed", "stopped"]).optional(),
  reason: z.string().max(2000).optional(),
  checkpoint: z.strictObject({ step: z.number().int().min(0), location: z.string().min(1), bytes: z.number().int().min(0) }).optional(),
});
export const createRun = z.strictObject({ recipe: z.string().min(1), dataset: z.string().min(1), steps: z.number().int().positive(), accelerator: z.string().min(1).optional(), count: z.number().int().positive().optional() });
export const command = z.strictObject({ command: z.enum(["pause", "resume", "stop", "checkpoint"]) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new PlaneError(400, `${issue.path.join(".") || "body"}: ${issue.message}`);
}

/** Agents name themselves in `x-benih-agent`, so a run moved away from them can be fenced off. */
const agentOf = (request: FastifyRequest) => (typeof request.headers["x-benih-agent"] === "string" ? request.headers["x-benih-agent"] : undefined);

export interface ControlRoutesOptions {
  plane: ControlPlane;
  store: TrainingStore;
}

/**
 * The control plane's HTTP API under /control/v1: agents (with their region's token) register, long-poll for
 * commands, and send metrics and reports; admins create runs and command them.
 */
export function registerControlRoutes(app: FastifyInstance, o: ControlRoutesOptions) {
  const { plane, store } = o;
  const fail = (reply: FastifyReply, err: unknown) => {
    if (err instanceof PlaneError) return reply.code(err.status).send({ error: { message: err.message, ...(err.details !== undefined && { details: err.details }) } });
    throw err;
  };
  const route = (fn: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await fn(request, reply);
    } catch (err) {
      return fail(reply, err);
    }
  };
  const params = (request: FastifyRequest) => request.params as { id: string };

  app.post("/control/v1/agents", access("agent"), route(async (request) => ({ agentId: await plane.register(request.agentRegion!, parse(registration, request.body).cluster) })));
  app.get("/control/v1/agents/:id/commands", access("agent"), route(async (request) => {
    const region = request.agentRegion!;
    const wait = Math.min(Number((request.query as { waitMs?: string }).waitMs ?? 25_000) || 0, 60_000);
    const gone = new AbortController();
    request.raw.once("close", () => gone.abort());
    return { commands: await plane.nextCommands(params(request).id, region, wait, gone.signal) };
  }));
  app.post("/control/v1/agents/:id/heartbeat", access("agent"), route(async (request, reply) => {
    plane.heartbeat(params(request).id, request.agentRegion!);
    return reply.code(204).send();
  }));
  app.post("/control/v1/runs/:id/metrics", access("agent"), route(async (request, reply) => {
    const region = request.agentRegion!;
    const { points } = parse(metricsBatch, request.body);
    const run = await plane.runFor(params(request).id, region, agentOf(request));
    await store.appendMetrics(run.id, points.map((p) => ({ step: p.step, at: p.at, loss: p.loss, lr: p.lr, grad_norm: p.gradNorm, tokens_per_s: p.tokensPerSecond })));
    return reply.code(204).send();
  }));
  app.post("/control/v1/runs/:id/logs", access("agent"), route(async (request, reply) => {
    const region = request.agentRegion!;
    const { lines } = parse(logBatch, request.body);
    const run = await plane.runFor(params(request).id, region, agentOf(request));
    await store.appendLogs(run.id, lines);
    return reply.code(204).send();
  }));
  app.post("/control/v1/runs/:id/reports", access("agent"), route(async (request, reply) => {
    await plane.report(params(request).id, request.agentRegion!, parse(report, request.body), agentOf(request));
    return reply.code(204).send();
  }));

  app.post("/control/v1/runs", access("admin"), route(async (request, reply) => {
    return reply.code(201).send(await plane.createRun(parse(createRun, request.body)));
  }));
  app.get("/control/v1/runs", access("admin"), route(async (request) => {
    return { runs: await store.listRuns() };
  }));
  app.get("/control/v1/runs/:id", access("admin"), route(async (request) => {
    const run = await store.getRun(params(request).id);
    if (!run) throw new PlaneError(404, `no run ${params(request).id}`);
    const checkpoints = await store.checkpoints(run.id);
    return { run: { ...run, placement: JSON.parse(run.placement) }, events: await store.events(run.id), checkpoints, lastCheckpoint: checkpoints.at(-1) ?? null };
  }));
  app.get("/control/v1/runs/:id/logs", access("admin"), route(async (request) => {
    const limit = Math.min(Math.max(Number((request.query as { limit?: string }).limit ?? 200) || 200, 1), 5000);
    return { lines: await store.logTail(params(request).id, limit) };
  }));
  app.get("/control/v1/runs/:id/metrics", access("admin"), route(async (request) => {
    const q = request.query as { from?: string; to?: string; buckets?: string };
    const rows = await store.metrics(params(request).id, Number(q.from ?? 0), Number(q.to ?? 2_147_483_647));
    const buckets = Number(q.buckets ?? 500);
    const series = (key: "loss" | "lr" | "tokens_per_s") => downsample(rows.map((r) => ({ step: r.step, value: r[key] })), buckets);
    return { points: rows.length, loss: series("loss"), lr: series("lr"), tokensPerSecond: series("tokens_per_s") };
  }));
  app.post("/control/v1/runs/:id/commands", access("admin"), route(async (request, reply) => {
    await plane.command(params(request).id, parse(command, request.body).command);
    return reply.code(202).send({ accepted: true });
  }));
  app.get("/control/v1/datasets", access("admin"), route(async (request) => {
    return { datasets: plane.datasets(), recipes: Object.keys(recipes) };
  }));
  app.get("/control/v1/fleet", access("admin"), route(async (request) => {
    return { clusters: await plane.fleet() };
  }));
}
