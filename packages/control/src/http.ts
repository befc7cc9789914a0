import type { TrainingStore } from "@benih/store";
import { access } from "@benih/gateway";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  agentRegistration,
  annotateRun,
  createRun,
  datasetDelivered,
  datasetUpload,
  logBatch,
  metricsBatch,
  runCommandRequest,
  runReport,
  runScores,
  type AgentCommands,
  type AgentRegistered,
  type ControlError,
  type DatasetsView,
  type FleetView,
  type LogTail,
  type MetricSeries,
  type PlacementDecision,
  type RunCreated,
  type RunDetail,
  type RunList,
  type RunModel,
  type RunView,
} from "@benih/contracts";
import type { z } from "zod";
import { downsample } from "./downsample.ts";
import { PlaneError } from "./errors.ts";
import type { ControlPlane } from "./plane.ts";
import { checkpointView, runEventView, runView } from "./views.ts";

/** A control API request's body, or a 400 naming its first problem. */
export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new PlaneError(400, `${issue.path.join(".") || "body"}: ${issue.message}`);
}

/** Agents name themselves in `x-benih-agent`, so a run moved away from them can be fenced off. */
const agentOf = (request: FastifyRequest) =>
  typeof request.headers["x-benih-agent"] === "string" ? request.headers["x-benih-agent"] : undefined;

export interface ControlRoutesOptions {
  plane: ControlPlane;
  store: TrainingStore;
  /** The most bytes an uploaded dataset may have (default 1 GiB). */
  datasetMaxBytes?: number;
  /** How long an upload waits for its region's agent to come for it (default 60 s), and for its report (15 min). */
  uploadPickupMs?: number;
  uploadReportMs?: number;
}

/**
 * The control plane's HTTP API under /control/v1: agents (with their region's token) register, long-poll for
 * commands, and send metrics and reports; admins create runs and command them.
 */
export function registerControlRoutes(app: FastifyInstance, o: ControlRoutesOptions) {
  const { plane, store } = o;
  const fail = (reply: FastifyReply, err: unknown) => {
    if (err instanceof PlaneError)
      return reply
        .code(err.status)
        .send({ error: { message: err.message, ...(err.details !== undefined && { details: err.details }) } } satisfies ControlError);
    throw err;
  };
  const route =
    (fn: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        return await fn(request, reply);
      } catch (err) {
        return fail(reply, err);
      }
    };
  const params = (request: FastifyRequest) => request.params as { id: string };

  app.post(
    "/control/v1/agents",
    access("agent"),
    route(
      async (request): Promise<AgentRegistered> => ({
        agentId: await plane.register(request.agentRegion!, parse(agentRegistration, request.body).cluster),
      }),
    ),
  );
  app.get(
    "/control/v1/agents/:id/commands",
    access("agent"),
    route(async (request): Promise<AgentCommands> => {
      const region = request.agentRegion!;
      const wait = Math.min(Number((request.query as { waitMs?: string }).waitMs ?? 25_000) || 0, 60_000);
      const gone = new AbortController();
      request.raw.once("close", () => gone.abort());
      return { commands: await plane.nextCommands(params(request).id, region, wait, gone.signal) };
    }),
  );
  app.post(
    "/control/v1/agents/:id/heartbeat",
    access("agent"),
    route(async (request, reply) => {
      await plane.heartbeat(params(request).id, request.agentRegion!);
      return reply.code(204).send();
    }),
  );
  app.post(
    "/control/v1/runs/:id/metrics",
    access("agent"),
    route(async (request, reply) => {
      const region = request.agentRegion!;
      const { points } = parse(metricsBatch, request.body);
      const run = await plane.runFor(params(request).id, region, agentOf(request));
      await store.appendMetrics(
        run.id,
        points.map((p) => ({ step: p.step, at: p.at, loss: p.loss, lr: p.lr, grad_norm: p.gradNorm, tokens_per_s: p.tokensPerSecond })),
      );
      return reply.code(204).send();
    }),
  );
  app.post(
    "/control/v1/runs/:id/logs",
    access("agent"),
    route(async (request, reply) => {
      const region = request.agentRegion!;
      const { lines } = parse(logBatch, request.body);
      const run = await plane.runFor(params(request).id, region, agentOf(request));
      await store.appendLogs(run.id, lines);
      return reply.code(204).send();
    }),
  );
  app.post(
    "/control/v1/runs/:id/scores",
    access("agent"),
    route(async (request, reply) => {
      const { scores } = parse(runScores, request.body);
      const run = await plane.runFor(params(request).id, request.agentRegion!, agentOf(request));
      await store.recordScores(run.id, scores);
      return reply.code(204).send();
    }),
  );
  app.post(
    "/control/v1/runs/:id/reports",
    access("agent"),
    route(async (request, reply) => {
      await plane.report(params(request).id, request.agentRegion!, parse(runReport, request.body), agentOf(request));
      return reply.code(204).send();
    }),
  );

  app.post(
    "/control/v1/runs",
    access("admin"),
    route(async (request, reply) => {
      const created: RunCreated = await plane.createRun(parse(createRun, request.body));
      return reply.code(201).send(created);
    }),
  );
  app.post(
    "/control/v1/placements",
    access("admin"),
    route(async (request): Promise<PlacementDecision> => plane.preview(parse(createRun, request.body))),
  );
  app.patch(
    "/control/v1/runs/:id",
    access("admin"),
    route(async (request): Promise<RunView> => {
      const id = params(request).id;
      const a = parse(annotateRun, request.body);
      if (!(await store.annotateRun(id, { ...(a.tags && { tags: a.tags }), ...(a.note !== undefined && { note: a.note }) })))
        throw new PlaneError(404, `no run ${id}`);
      return runView((await store.getRun(id))!);
    }),
  );
  app.get(
    "/control/v1/runs",
    access("admin"),
    route(async (): Promise<RunList> => {
      return { runs: (await store.listRuns()).map(runView) };
    }),
  );
  app.get(
    "/control/v1/runs/:id",
    access("admin"),
    route(async (request): Promise<RunDetail> => {
      const run = await store.getRun(params(request).id);
      if (!run) throw new PlaneError(404, `no run ${params(request).id}`);
      const checkpoints = (await store.checkpoints(run.id)).map(checkpointView);
      return {
        run: runView(run),
        model: run.model ? (JSON.parse(run.model) as RunModel) : null,
        scores: (await store.scores(run.id)).map((s) => ({ name: s.name, value: s.value, ...(s.count !== null && { count: s.count }) })),
        events: (await store.events(run.id)).map(runEventView),
        checkpoints,
        lastCheckpoint: checkpoints.at(-1) ?? null,
      };
    }),
  );
  app.get(
    "/control/v1/runs/:id/logs",
    access("admin"),
    route(async (request): Promise<LogTail> => {
      const limit = Math.min(Math.max(Number((request.query as { limit?: string }).limit ?? 200) || 200, 1), 5000);
      return { lines: await store.logTail(params(request).id, limit) };
    }),
  );
  app.get(
    "/control/v1/runs/:id/metrics",
    access("admin"),
    route(async (request): Promise<MetricSeries> => {
      const q = request.query as { from?: string; to?: string; buckets?: string };
      const rows = await store.metrics(params(request).id, Number(q.from ?? 0), Number(q.to ?? 2_147_483_647));
      const buckets = Number(q.buckets ?? 500);
      const series = (key: "loss" | "lr" | "tokens_per_s") =>
        downsample(
          rows.map((r) => ({ step: r.step, value: r[key] })),
          buckets,
        );
      return { points: rows.length, loss: series("loss"), lr: series("lr"), tokensPerSecond: series("tokens_per_s") };
    }),
  );
  app.post(
    "/control/v1/runs/:id/commands",
    access("admin"),
    route(async (request, reply) => {
      await plane.command(params(request).id, parse(runCommandRequest, request.body).command);
      return reply.code(202).send({ accepted: true });
    }),
  );
  app.get(
    "/control/v1/datasets",
    access("admin"),
    route(async (): Promise<DatasetsView> => {
      const { benih, command } = plane.recipes();
      return { datasets: await plane.datasets(), recipes: [...benih, ...command.map((r) => r.name)] };
    }),
  );
  registerUploadRoutes(app, o, route, params);
  app.get(
    "/control/v1/fleet",
    access("admin"),
    route(async (): Promise<FleetView> => {
      return { clusters: await plane.fleet() };
    }),
  );
}

type Route = (
  fn: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
) => (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Rejects after `ms` with `status` and `message`, unless `p` settles first. */
function within<T>(p: Promise<T>, ms: number, status: PlaneError["status"], message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new PlaneError(status, message)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Datasets uploaded through the home plane, kept only in their market's region: the admin's request body is handed,
 * unread, to an agent there (which comes for it after a `dataset` command), and the admin is answered with the
 * agent's line-by-line report.
 */
function registerUploadRoutes(app: FastifyInstance, o: ControlRoutesOptions, route: Route, params: (r: FastifyRequest) => { id: string }) {
  const { plane } = o;
  const maxBytes = o.datasetMaxBytes ?? 1 << 30;
  void app.register(async (uploads) => {
    // The body stays a stream: it goes to the agent as it arrives, and nothing of it is kept here.
    uploads.removeAllContentTypeParsers(); // JSON and text too: whatever the type, nothing is buffered here
    uploads.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    uploads.post(
      "/control/v1/datasets",
      access("admin"),
      route(async (request, reply) => {
        const u = parse(datasetUpload, request.query);
        const declared = Number(request.headers["content-length"] ?? 0);
        if (declared > maxBytes) throw new PlaneError(413, `the dataset is ${declared} bytes; the most is ${maxBytes}`);
        const { region, cluster } = await plane.uploadTarget(u);
        const upload = plane.uploads.open(region, request.raw, maxBytes);
        try {
          await plane.requestUpload(cluster, {
            type: "dataset",
            uploadId: upload.id,
            dataset: u.name,
            split: u.split,
            market: u.market,
            maxBytes,
          });
          await within(upload.picked, o.uploadPickupMs ?? 60_000, 504, `the agent of ${cluster} in ${region} did not come for the dataset`);
          const { report, source } = await within(
            upload.delivered,
            o.uploadReportMs ?? 15 * 60_000,
            504,
            `the agent of ${cluster} in ${region} took the dataset but has not reported on it`,
          );
          // Cut here, past the limit: the agent saw only that its upload broke off.
          if (plane.uploads.overflowed(upload.id)) throw new PlaneError(413, `the dataset is larger than ${maxBytes} bytes, the most`);
          if (!report.accepted || !source)
            throw new PlaneError(422, `${region} refused dataset ${u.name}: ${report.reason ?? "no reason given"}`, report);
          if (u.split === "train")
            await plane.addDataset({ id: u.name, market: u.market, region, source }, report, request.principal?.name ?? "operator");
          return reply.code(201).send(report);
        } finally {
          plane.uploads.close(upload.id);
          // An answer before the whole body was read (a refusal, a timeout): the rest is not wanted.
          if (!request.raw.readableEnded) request.raw.resume();
        }
      }),
    );
  });
  app.get(
    "/control/v1/uploads/:id",
    access("agent"),
    route(async (request, reply) =>
      reply.header("content-type", "application/x-ndjson").send(plane.uploads.take(params(request).id, request.agentRegion!)),
    ),
  );
  app.post(
    "/control/v1/uploads/:id/report",
    access("agent"),
    route(async (request, reply) => {
      plane.uploads.deliver(params(request).id, request.agentRegion!, parse(datasetDelivered, request.body));
      return reply.code(204).send();
    }),
  );
}
