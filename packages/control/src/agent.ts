import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { FolderStorage, type CheckpointStorage } from "./checkpoint-storage.ts";
import { logFileOf, type Execution, type Executor } from "./executors/executor.ts";
import { receiveDataset, refusedReport } from "./datasets/receive.ts";
import { describeModel } from "./run-model.ts";
import { benihTrainerFiles, commandTrainerFiles, type TrainerFiles } from "./trainer-files.ts";
import type { Cluster } from "@benih/contracts";
import {
  agentCommands,
  agentRegistered,
  runScores,
  trainerMetricLine,
  type AgentCommand,
  type CheckpointReport,
  type LogLine,
  type MetricPoint,
  type DatasetDelivered,
  type RunModel,
  type RunReport,
  type StartCommand as Start,
} from "@benih/contracts";

export interface AgentOptions {
  controlPlane: string;
  token: string;
  cluster: Cluster;
  /** The region's run storage: one folder per run, holding its checkpoint, metrics and logs; they never leave it. */
  runsDir: string;
  /** Runs the trainers: child processes here, or Kubernetes Jobs. */
  executor: Executor;
  /** Where checkpoints are kept in the region: the run folders themselves (default), or an S3-compatible bucket. */
  checkpoints?: CheckpointStorage;
  /** Where datasets uploaded through the control plane are kept in the region, each a folder (default: `<runsDir>/datasets`). */
  datasetsDir?: string;
  /** The `benih train` arguments of an attempt, writing into `dir`. */
  trainArgs(cmd: Start, dir: string): string[];
  log?: (line: string) => void;
}

interface Job {
  runId: string;
  attempt: number;
  execution: Execution;
  dir: string;
  files: TrainerFiles;
  /** A command trainer broke the contract (a malformed metrics line): why its run fails. */
  broken?: string;
  metricsLine: number;
  /** Why the agent asked it to end, so its exit is reported as paused or stopped rather than succeeded. */
  intent?: "pause" | "stop";
  /** The run moved to another agent and this copy was killed: its end is not reported. */
  fenced?: boolean;
  metricsOffset: number;
  logOffset: number;
  checkpointSeen?: string;
}

/** What waits to be sent for one run: its metric points or its log lines, oldest first. */
interface Outbox {
  runId: string;
  kind: "metrics" | "logs";
  items: Array<MetricPoint | LogLine>;
}

/** A control plane answer's body as the agent reads it itself: the error envelope (the rest is parsed by schemas). */
interface ControlAnswer {
  error?: { message?: string; details?: { code?: string } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const parseJSON = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const MAX_PENDING = 1_000_000;
/** A schema's first complaint, with where it is: "loss: Invalid input: expected number, received string". */
const issueOf = (e: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }) => {
  const issue = e.issues[0];
  return `${issue?.path.length ? `${issue.path.map(String).join(".")}: ` : ""}${issue?.message}`;
};
/** The most a scores.json may hold: 200 scores fit many times over. */
const SCORES_BYTES = 256 * 1024;

/**
 * The trainer contract's environment (docs/trainers.md): where the run folder is, what to train on, how far, and for a
 * command trainer the checkpoint to resume from. The agent's own token is never passed on.
 */
function contractEnv(c: Start, dir: string, files: TrainerFiles): Record<string, string> {
  const resumeFrom = files.newest(dir);
  return {
    BENIH_RUN_ID: c.runId,
    BENIH_RUN_DIR: dir,
    BENIH_ATTEMPT: String(c.attempt),
    BENIH_RECIPE: c.recipe,
    BENIH_DATASET: c.source,
    BENIH_STEPS: String(c.steps),
    BENIH_ACCELERATOR: c.accelerator,
    BENIH_ACCELERATOR_COUNT: String(c.count),
    BENIH_NODES: String(c.trainer?.nodes ?? 1),
    ...(c.trainer && resumeFrom && { BENIH_RESUME_FROM: resumeFrom }),
  };
}

/**
 * A regional agent: registers its cluster, long-polls the control plane for commands, has its executor run each
 * run, and sends back metrics and log lines in batches, checkpoint records and state reports. When the control
 * plane is unreachable it retries with backoff and keeps what it could not send, so charts get no gaps.
 */
export class RegionalAgent {
  private id?: string;
  private readonly jobs = new Map<string, Job>();
  private readonly outboxes = new Map<string, Outbox>();
  private stopped = false;
  /** Aborted by `close()`: ends a long poll at once rather than after its wait (the reports after it still go). */
  private readonly polling = new AbortController();
  private readonly log: (line: string) => void;
  private readonly storage: CheckpointStorage;

  constructor(private readonly o: AgentOptions) {
    this.log = o.log ?? ((l) => process.stderr.write(`${l}\n`));
    this.storage = o.checkpoints ?? new FolderStorage();
  }

  private async call(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; json: ControlAnswer | undefined }> {
    const res = await fetch(this.o.controlPlane.replace(/\/+$/, "") + path, {
      method,
      ...(signal && { signal }),
      headers: {
        authorization: `Bearer ${this.o.token}`,
        ...(this.id && { "x-benih-agent": this.id }),
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  /** Runs until `close()`: registering, polling and executing, reconnecting with backoff. */
  async run(): Promise<void> {
    const pump = setInterval(() => void this.pump(), 500);
    // Besides the long poll: the control plane counts silence from here to mark runs lost.
    const beat = setInterval(() => void (this.id && this.call("POST", `/control/v1/agents/${this.id}/heartbeat`).catch(() => {})), 1000);
    let backoff = 250;
    try {
      while (!this.stopped) {
        try {
          if (!this.id) {
            const r = await this.call("POST", "/control/v1/agents", { cluster: this.o.cluster });
            if (r.status === 401 || r.status === 403 || r.status === 409)
              throw new Error(`the control plane refused this agent: ${r.json?.error?.message ?? r.status}`);
            this.id = agentRegistered.parse(r.json).agentId;
            this.log(
              `registered ${this.o.cluster.id} in ${this.o.cluster.region} as ${this.id} (${this.o.executor.kind} executor, ${this.storage.kind} checkpoints)`,
            );
          }
          const r = await this.call("GET", `/control/v1/agents/${this.id}/commands?waitMs=10000`, undefined, this.polling.signal);
          if (r.status === 404) {
            this.id = undefined; // the control plane restarted or dropped us: register again
            continue;
          }
          if (r.status !== 200) throw new Error(`polling failed: ${r.status}`);
          backoff = 250;
          const polled = agentCommands.safeParse(r.json);
          if (!polled.success) throw new Error(`commands not understood: ${polled.error.issues[0]?.message}`);
          for (const c of polled.data.commands) await this.handle(c);
        } catch (err) {
          if ((err as Error).message.startsWith("the control plane refused")) throw err;
          if (this.stopped) break;
          this.log(`control plane unreachable (${(err as Error).message}); retrying in ${backoff} ms`);
          await sleep(backoff);
          backoff = Math.min(backoff * 2, 5000);
        }
      }
    } finally {
      // Shutting down: the runs pause (the trainer checkpoints) and their reports go out first.
      for (const job of this.jobs.values()) {
        job.intent = "pause";
        await job.execution.finish().catch(() => {});
      }
      for (let waited = 0; this.jobs.size && waited < 120_000; waited += 100) await sleep(100);
      clearInterval(pump);
      clearInterval(beat);
      await this.pump();
    }
  }

  private async handle(c: AgentCommand): Promise<void> {
    if (c.type === "start") return this.start(c);
    if (c.type === "dataset") {
      void this.receive(c); // streamed while the agent goes on polling
      return;
    }
    const job = this.jobs.get(c.runId);
    if (!job) return;
    if (c.type === "checkpoint") await job.execution.checkpoint();
    else {
      job.intent = c.type;
      await job.execution.finish();
    }
  }

  private async start(c: Start): Promise<void> {
    if (this.jobs.has(c.runId)) {
      // Placed here again (we were thought lost and came back): it never stopped running.
      void this.report(c.runId, { state: "running", reason: `still running on ${this.o.cluster.id}` });
      return;
    }
    const dir = join(this.o.runsDir, c.runId);
    mkdirSync(dir, { recursive: true });
    // A stale pause request must not end the new attempt, nor stale scores stand for it.
    for (const stale of ["request", "scores.json"]) rmSync(join(dir, stale), { force: true });
    const files = c.trainer ? commandTrainerFiles : benihTrainerFiles;
    let execution: Execution;
    try {
      // Brought into the run folder unless a checkpoint as new is there already (a lost agent may have written one).
      const have = files.newest(dir);
      if (c.resumeFrom && !(have && files.format.stepAt(have) >= c.resumeFrom.step)) {
        const { location, step } = c.resumeFrom;
        await this.storage.fetch(location, step, files.placeOf(dir, location, step), files.format);
      }
      execution = await this.o.executor.start({
        runId: c.runId,
        attempt: c.attempt,
        dir,
        args: this.o.trainArgs(c, dir),
        ...(c.trainer && { trainer: c.trainer }),
        env: { ...c.trainer?.env, ...contractEnv(c, dir, files) },
        node: c.node,
        accelerator: c.accelerator,
        count: c.count,
      });
    } catch (err) {
      this.log(`could not start ${c.runId}: ${(err as Error).message}`);
      await this.report(c.runId, { state: "failed", reason: `could not start on ${this.o.cluster.id}: ${(err as Error).message}` });
      return;
    }
    // The whole metrics file is read again, also when resuming: the trainer resumes from the newest checkpoint in
    // the folder, which a lost agent may have written without reporting it or the steps before it. The control
    // plane keeps the first point per step, so what it already has costs only bandwidth.
    const job: Job = { runId: c.runId, attempt: c.attempt, execution, dir, files, metricsOffset: 0, metricsLine: 0, logOffset: 0 };
    this.jobs.set(c.runId, job);
    void execution.ended.then((end) => this.finished(job, end));
    this.log(
      `started ${c.runId} attempt ${c.attempt} (${c.recipe} on ${c.source}, ${c.steps} steps${c.resumeFrom ? `, resuming from step ${c.resumeFrom.step}` : ""})`,
    );
    void this.report(c.runId, { state: "running", reason: `started on ${this.o.cluster.id}/${c.node}` });
  }

  private async finished(job: Job, end: { code: number | null; detail: string }): Promise<void> {
    if (job.fenced) return;
    // The trainer's last lines and checkpoint go out before the report: a pump already under way may have read
    // the folder before the exit, so read it once more here.
    await this.pump();
    await this.collect(job);
    this.jobs.delete(job.runId);
    await this.pump();
    // A finished trainer's scores (scores.json, computed here in the region) go before the run is reported done.
    if (!job.broken && end.code === 0 && !job.intent) job.broken = await this.sendScores(job);
    let model: RunModel | undefined;
    if (!job.broken && end.code === 0 && !job.intent) {
      const described = await describeModel(job.files.model(job.dir)).catch(
        (err: Error) => `the run's model could not be read: ${err.message}`,
      );
      if (typeof described === "string") job.broken = described;
      else model = described;
    }
    const state =
      job.broken || end.code !== 0 ? "failed" : job.intent === "pause" ? "paused" : job.intent === "stop" ? "stopped" : "succeeded";
    const reason = job.broken ?? (end.code === 0 ? `${state} on ${this.o.cluster.id}` : end.detail);
    this.log(`${job.runId} ${state}`);
    await this.report(job.runId, { state, reason, ...(model && { model }) });
  }

  /** Reads new metric and log lines and checkpoints of every job, then sends what is pending. Never runs twice at once. */
  private pumping?: Promise<void>;
  /** Checkpoints kept in storage, reported once the metrics read before them are sent. */
  private readonly unreported = new Map<string, CheckpointReport>();
  private pump(): Promise<void> {
    this.pumping ??= this.pumpOnce().finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  private async collect(job: Job): Promise<void> {
    // The checkpoint before the metrics: the points a trainer wrote before it are then read now, and sent before it
    // is reported, so an agent lost right after the report loses none of the points its successor resumes after.
    await this.checkCheckpoint(job);
    await job.execution.collectLogs?.().catch((err: Error) => this.log(`reading the log of ${job.runId}: ${err.message}`));
    const points = this.outbox(job.runId, "metrics");
    job.metricsOffset = this.readLines(join(job.dir, "metrics.jsonl"), job.metricsOffset, (line, offset) => {
      if (job.broken) return;
      job.metricsLine++;
      if (!line.trim()) return;
      // A line the control plane would refuse (a loss gone to NaN is written as null) would hold up the whole batch.
      const m = trainerMetricLine.safeParse(parseJSON(line));
      if (!m.success) {
        const problem = issueOf(m.error);
        if (!job.files.strictMetrics) return this.log(`${job.runId}: metrics line at byte ${offset} skipped: ${problem}`);
        // A command trainer's broken line is a bug in it: the run fails, its checkpoints and earlier points kept.
        job.broken = `the trainer wrote a malformed line to metrics.jsonl (line ${job.metricsLine}: ${problem}): ${line.slice(0, 200)}`;
        this.log(`${job.runId}: ${job.broken}`);
        void job.execution.kill().catch(() => {});
        return;
      }
      points.push({
        step: m.data.step,
        at: Date.parse(m.data.time),
        loss: m.data.loss,
        lr: m.data.lr,
        gradNorm: m.data.gradNorm,
        tokensPerSecond: m.data.tokensPerSecond,
      });
    });
    const lines = this.outbox(job.runId, "logs");
    job.logOffset = this.readLines(join(job.dir, logFileOf(job)), job.logOffset, (text, offset) => {
      // Progress lines drawn in place end in \r: each is a line of its own in the log.
      text.split("\r").forEach((part, i) => {
        if (part.trim()) lines.push({ attempt: job.attempt, offset: offset + i, at: Date.now(), text: part.slice(0, 4000) });
      });
    });
    for (const box of [points, lines]) {
      // A bounded buffer per run: beyond about a day of metrics at 10 points a second, the oldest go (and the log says so).
      if (box.length <= MAX_PENDING) continue;
      this.log(`send buffer of ${job.runId} full: dropping ${box.length - MAX_PENDING} old entries`);
      box.splice(0, box.length - MAX_PENDING);
    }
  }

  private async pumpOnce(): Promise<void> {
    for (const job of this.jobs.values()) await this.collect(job);
    for (const [key, box] of this.outboxes) {
      while (box.items.length) {
        const batch = box.items.slice(0, 5000);
        try {
          const r = await this.call(
            "POST",
            `/control/v1/runs/${box.runId}/${box.kind}`,
            box.kind === "metrics" ? { points: batch } : { lines: batch },
          );
          if (r.status >= 500) return; // try again on the next pump
          if (r.status === 409) {
            this.fence(box.runId, r.json?.error?.message);
            break;
          } else if (r.status !== 204) this.log(`${box.kind} for ${box.runId} refused: ${r.json?.error?.message ?? r.status}`);
        } catch {
          return; // unreachable: keep them, the next pump retries
        }
        box.items.splice(0, batch.length);
      }
      if (!this.jobs.has(box.runId)) this.outboxes.delete(key);
    }
    for (const [runId, checkpoint] of this.unreported) {
      this.unreported.delete(runId);
      await this.report(runId, { checkpoint });
    }
  }

  private outbox(runId: string, kind: Outbox["kind"]): Outbox["items"] {
    const key = `${runId}/${kind}`;
    let box = this.outboxes.get(key);
    if (!box) this.outboxes.set(key, (box = { runId, kind, items: [] }));
    return box.items;
  }

  /** Calls `each` for the complete lines of `file` after byte `offset`, with their byte offsets; returns the new offset. */
  private readLines(file: string, offset: number, each: (line: string, offset: number) => void): number {
    if (!existsSync(file)) return offset;
    const size = statSync(file).size;
    if (size <= offset) return offset;
    const fd = openSync(file, "r");
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    closeSync(fd);
    const complete = buf.lastIndexOf(0x0a) + 1; // a line still being written waits for the next read
    let at = 0;
    while (at < complete) {
      const end = buf.indexOf(0x0a, at);
      each(buf.subarray(at, end).toString("utf8"), offset + at);
      at = end + 1;
    }
    return offset + complete;
  }

  private async checkCheckpoint(job: Job): Promise<void> {
    const file = job.files.newest(job.dir);
    if (!file || !existsSync(file)) return;
    const seen = `${file}@${statSync(file).mtimeMs}`;
    if (seen === job.checkpointSeen) return;
    job.checkpointSeen = seen;
    let saved: CheckpointReport;
    try {
      saved = await this.storage.save(job.runId, file, job.files.format);
    } catch (err) {
      job.checkpointSeen = undefined; // being replaced (temp file + rename), or the upload failed: next time
      this.log(`checkpoint of ${job.runId} not kept yet: ${(err as Error).message}`);
      return;
    }
    this.unreported.set(job.runId, saved);
  }

  /**
   * Sends the run folder's scores.json, if the trainer wrote one; returns why the run fails when it is malformed
   * (a command trainer's bug, as a malformed metrics line is).
   */
  private async sendScores(job: Job): Promise<string | undefined> {
    const file = join(job.dir, "scores.json");
    if (!existsSync(file)) return undefined;
    if (statSync(file).size > SCORES_BYTES) return `the trainer's scores.json is larger than ${SCORES_BYTES} bytes`;
    const scores = runScores.safeParse(parseJSON(readFileSync(file, "utf8")));
    if (scores.success) await this.deliver(job.runId, "scores", scores.data);
    else {
      const why = `the trainer wrote a malformed scores.json (${issueOf(scores.error)})`;
      if (job.files.strictMetrics) return why;
      this.log(`${job.runId}: ${why}: not sent`); // benih's own trainer: the run trained, it only goes unscored
    }
    return undefined;
  }

  /** Fetches an uploaded dataset from the control plane, keeps it here when whole, and reports what it found. */
  private async receive(c: Extract<AgentCommand, { type: "dataset" }>): Promise<void> {
    const r = { ...c, region: this.o.cluster.region, datasetsDir: this.o.datasetsDir ?? join(this.o.runsDir, "datasets") };
    let delivered: DatasetDelivered;
    try {
      const res = await fetch(`${this.o.controlPlane.replace(/\/+$/, "")}/control/v1/uploads/${c.uploadId}`, {
        headers: { authorization: `Bearer ${this.o.token}`, ...(this.id && { "x-benih-agent": this.id }) },
      });
      if (!res.ok || !res.body) {
        this.log(`dataset ${c.dataset}: the upload is not there to fetch (HTTP ${res.status})`);
        return;
      }
      delivered = await receiveDataset({ ...r, body: res.body });
    } catch (err) {
      delivered = { report: refusedReport(r, `the agent could not keep it: ${(err as Error).message}`) };
    }
    this.log(`dataset ${c.dataset}: ${delivered.report.accepted ? `kept at ${delivered.source}` : `refused: ${delivered.report.reason}`}`);
    const sent = await this.call("POST", `/control/v1/uploads/${c.uploadId}/report`, delivered).catch((err: Error) => err);
    if (sent instanceof Error || sent.status !== 204)
      this.log(
        `dataset ${c.dataset}: report refused: ${sent instanceof Error ? sent.message : (sent.json?.error?.message ?? sent.status)}`,
      );
  }

  private report(runId: string, body: RunReport): Promise<void> {
    return this.deliver(runId, "reports", body);
  }

  /** POSTs to one of a run's routes, retrying while the control plane is unreachable. */
  private async deliver(runId: string, what: "reports" | "scores", body: unknown): Promise<void> {
    for (let attempt = 0, delay = 250; attempt < 12; attempt++, delay = Math.min(delay * 2, 5000)) {
      try {
        const r = await this.call("POST", `/control/v1/runs/${runId}/${what}`, body);
        if (r.status === 409 && r.json?.error?.details?.code === "run_moved") this.fence(runId, r.json.error.message);
        else if (r.status !== 204) this.log(`${what} for ${runId} refused: ${r.json?.error?.message ?? r.status}`);
        return;
      } catch {
        await sleep(delay);
      }
    }
  }

  /** The run moved to another agent: stop this copy without reporting, and drop what it had not sent. */
  private fence(runId: string, why: string | undefined): void {
    const job = this.jobs.get(runId);
    this.outboxes.delete(`${runId}/metrics`);
    this.outboxes.delete(`${runId}/logs`);
    if (!job) return;
    this.log(`stopping ${runId} here: ${why ?? "it runs elsewhere now"}`);
    this.jobs.delete(runId);
    job.fenced = true;
    void job.execution.kill().catch(() => {});
  }

  /** Stops polling; `run()` then pauses the running jobs, reports them, and returns. */
  close(): void {
    this.stopped = true;
    this.polling.abort();
  }
}
