import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from "node:fs";
import { join } from "node:path";
import { readCheckpoint } from "@benih/trainer";
import type { Cluster } from "./fleet.ts";
import type { AgentCommand } from "./plane.ts";

export interface AgentOptions {
  controlPlane: string;
  token: string;
  cluster: Cluster;
  /** The region's run storage: one folder per run, holding its checkpoint and metrics; they never leave it. */
  runsDir: string;
  /** The command that trains a run into a folder (resuming from a checkpoint there): `benih train …`. */
  trainCommand(cmd: Extract<AgentCommand, { type: "start" }>, dir: string): { command: string; args: string[] };
  log?: (line: string) => void;
}

interface Job {
  runId: string;
  child: ChildProcess;
  dir: string;
  /** Why the agent signalled it, so its exit is reported as paused or stopped rather than failed. */
  intent?: "pause" | "stop";
  metricsOffset: number;
  checkpointSeen?: number;
  stderrTail: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A regional agent: registers its cluster, long-polls the control plane for commands, runs each run as a child
 * process, and sends back metrics in batches, checkpoint records and state reports. When the control plane is
 * unreachable it retries with backoff and keeps the metrics it could not send, so charts get no gaps.
 */
export class RegionalAgent {
  private id?: string;
  private readonly jobs = new Map<string, Job>();
  private readonly pending: Array<{ runId: string; point: Record<string, number> }> = [];
  private stopped = false;
  private readonly log: (line: string) => void;

  constructor(private readonly o: AgentOptions) {
    this.log = o.log ?? ((l) => process.stderr.write(`${l}\n`));
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(this.o.controlPlane.replace(/\/+$/, "") + path, {
      method,
      headers: { authorization: `Bearer ${this.o.token}`, ...(this.id && { "x-benih-agent": this.id }), ...(body !== undefined && { "content-type": "application/json" }) },
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
            if (r.status === 401 || r.status === 403) throw new Error(`the control plane refused this agent: ${r.json?.error?.message ?? r.status}`);
            this.id = r.json.agentId;
            this.log(`registered ${this.o.cluster.id} in ${this.o.cluster.region} as ${this.id}`);
          }
          const r = await this.call("GET", `/control/v1/agents/${this.id}/commands?waitMs=10000`);
          if (r.status === 404) {
            this.id = undefined; // the control plane restarted or dropped us: register again
            continue;
          }
          if (r.status !== 200) throw new Error(`polling failed: ${r.status}`);
          backoff = 250;
          for (const c of r.json.commands as AgentCommand[]) await this.handle(c);
        } catch (err) {
          if ((err as Error).message.startsWith("the control plane refused")) throw err;
          this.log(`control plane unreachable (${(err as Error).message}); retrying in ${backoff} ms`);
          await sleep(backoff);
          backoff = Math.min(backoff * 2, 5000);
        }
      }
    } finally {
      // Shutting down: the runs pause (the trainer checkpoints on SIGTERM) and their reports go out first.
      for (const job of this.jobs.values()) {
        job.intent = "pause";
        job.child.kill("SIGTERM");
      }
      for (let waited = 0; this.jobs.size && waited < 120_000; waited += 100) await sleep(100);
      clearInterval(pump);
      clearInterval(beat);
      await this.pump();
    }
  }

  private async handle(c: AgentCommand): Promise<void> {
    if (c.type === "start") return this.start(c);
    const job = this.jobs.get(c.runId);
    if (!job) return;
    if (c.type === "checkpoint") job.child.kill("SIGUSR1");
    else {
      job.intent = c.type;
      job.child.kill("SIGTERM"); // the trainer checkpoints, then exits 0
    }
  }

  private start(c: Extract<AgentCommand, { type: "start" }>): void {
    if (this.jobs.has(c.runId)) {
      // Placed here again (we were thought lost and came back): it never stopped running.
      void this.report(c.runId, { state: "running", reason: `still running on ${this.o.cluster.id}` });
      return;
    }
    const dir = join(this.o.runsDir, c.runId);
    mkdirSync(dir, { recursive: true });
    const { command, args } = this.o.trainCommand(c, dir);
    // The trainer's stdin is a pipe we hold: when this agent dies, even by SIGKILL, the pipe closes and the trainer
    // exits (BENIH_TRAIN_EXIT_WITH_PARENT), so no orphan keeps writing to a run that resumes elsewhere.
    const child = spawn(command, args, { stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, BENIH_TRAIN_EXIT_WITH_PARENT: "1" } });
    // The whole metrics file is read again, also when resuming: the trainer resumes from the newest checkpoint in
    // the folder, which a lost agent may have written without reporting it or the steps before it. The control
    // plane keeps the first point per step, so what it already has costs only bandwidth.
    const job: Job = { runId: c.runId, child, dir, metricsOffset: 0, stderrTail: "" };
    this.jobs.set(c.runId, job);
    child.stderr!.on("data", (d: Buffer) => (job.stderrTail = (job.stderrTail + d.toString()).slice(-2000)));
    child.on("exit", (code, signal) => void this.finished(job, code, signal));
    this.log(`started ${c.runId} (${c.recipe} on ${c.source}, ${c.steps} steps${c.resumeFromStep !== null ? `, resuming from step ${c.resumeFromStep}` : ""})`);
    void this.report(c.runId, { state: "running", reason: `started on ${this.o.cluster.id}/${c.node}` });
  }

  private async finished(job: Job, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    // The trainer's last lines and checkpoint go out before the report: a pump already under way may have read
    // the folder before the exit, so read it once more here.
    await this.pump();
    this.readMetrics(job);
    await this.checkCheckpoint(job);
    this.jobs.delete(job.runId);
    await this.pump();
    const state = code === 0 ? (job.intent === "pause" ? "paused" : job.intent === "stop" ? "stopped" : "succeeded") : "failed";
    const reason = code === 0 ? `${state} on ${this.o.cluster.id}` : `the trainer exited with ${signal ?? code}: ${job.stderrTail.trim().split("\n").slice(-3).join(" | ")}`;
    this.log(`${job.runId} ${state}`);
    await this.report(job.runId, { state, reason });
  }

  /** Reads new metric lines and checkpoints of every job, then sends what is pending. Never runs twice at once. */
  private pumping?: Promise<void>;
  private pump(): Promise<void> {
    this.pumping ??= this.pumpOnce().finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  private async pumpOnce(): Promise<void> {
    for (const job of this.jobs.values()) {
      this.readMetrics(job);
      await this.checkCheckpoint(job);
    }
    while (this.pending.length) {
      const runId = this.pending[0]!.runId;
      const batch = this.pending.filter((p) => p.runId === runId).slice(0, 1000);
      try {
        const r = await this.call("POST", `/control/v1/runs/${runId}/metrics`, { points: batch.map((b) => b.point) });
        if (r.status >= 500) return; // try again on the next pump
        if (r.status === 409) this.fence(runId, r.json?.error?.message);
        else if (r.status !== 204) this.log(`metrics for ${runId} refused: ${r.json?.error?.message ?? r.status}`);
      } catch {
        return; // unreachable: keep them, the next pump retries
      }
      const sent = new Set(batch);
      for (let i = this.pending.length - 1; i >= 0; i--) if (sent.has(this.pending[i]!)) this.pending.splice(i, 1);
    }
  }

  private readMetrics(job: Job): void {
    const file = join(job.dir, "metrics.jsonl");
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size <= job.metricsOffset) return;
    const fd = openSync(file, "r");
    const buf = Buffer.alloc(size - job.metricsOffset);
    readSync(fd, buf, 0, buf.length, job.metricsOffset);
    closeSync(fd);
    const text = buf.toString("utf8");
    const complete = text.lastIndexOf("\n") + 1; // a line still being written waits for the next read
    job.metricsOffset += Buffer.byteLength(text.slice(0, complete));
    for (const line of text.slice(0, complete).split("\n").filter(Boolean)) {
      const m = JSON.parse(line) as { step: number; loss: number; lr: number; gradNorm: number; tokensPerSecond: number; time: string };
      this.pending.push({ runId: job.runId, point: { step: m.step, at: Date.parse(m.time), loss: m.loss, lr: m.lr, gradNorm: m.gradNorm, tokensPerSecond: m.tokensPerSecond } });
    }
    // A bounded buffer: beyond a day of metrics at 10 points a second, the oldest go (and the log says so).
    if (this.pending.length > 1_000_000) {
      this.log(`metrics buffer full: dropping ${this.pending.length - 1_000_000} old points`);
      this.pending.splice(0, this.pending.length - 1_000_000);
    }
  }

  private async checkCheckpoint(job: Job): Promise<void> {
    const file = join(job.dir, "checkpoint.bin");
    if (!existsSync(file)) return;
    const { mtimeMs, size } = statSync(file);
    if (mtimeMs === job.checkpointSeen) return;
    job.checkpointSeen = mtimeMs;
    try {
      const step = readCheckpoint(file).header.step;
      await this.report(job.runId, { checkpoint: { step, location: file, bytes: size } });
    } catch {
      job.checkpointSeen = undefined; // being replaced (temp file + rename): read it next time
    }
  }

  private async report(runId: string, body: object): Promise<void> {
    for (let attempt = 0, delay = 250; attempt < 12; attempt++, delay = Math.min(delay * 2, 5000)) {
      try {
        const r = await this.call("POST", `/control/v1/runs/${runId}/reports`, body);
        if (r.status === 409 && r.json?.error?.details?.code === "run_moved") this.fence(runId, r.json.error.message);
        else if (r.status !== 204) this.log(`report for ${runId} refused: ${r.json?.error?.message ?? r.status}`);
        return;
      } catch {
        await sleep(delay);
      }
    }
  }

  /** The run moved to another agent: stop this copy without reporting, and drop its unsent metrics. */
  private fence(runId: string, why: string | undefined): void {
    const job = this.jobs.get(runId);
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.runId === runId) this.pending.splice(i, 1);
    if (!job) return;
    this.log(`stopping ${runId} here: ${why ?? "it runs elsewhere now"}`);
    this.jobs.delete(runId);
    job.child.removeAllListeners("exit");
    job.child.kill("SIGKILL");
  }

  /** Stops polling; `run()` then pauses the running jobs, reports them, and returns. */
  close(): void {
    this.stopped = true;
  }
}
