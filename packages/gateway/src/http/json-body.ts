import { Worker } from "node:worker_threads";
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../errors.ts";
import { overBudget, type JsonShape } from "./json-budget.ts";

export interface JsonBudget extends JsonShape {
  /** Bodies up to this size are parsed on the event loop (quick); larger ones on a parser thread. */
  inlineBytes: number;
  /** A body that takes longer to be parsed, waiting included, is refused (413), and its thread replaced. */
  timeoutMs: number;
  /** Large bodies waiting for a thread; more are answered 503. */
  queue: number;
  /** Parser threads. */
  threads: number;
}

// Text: what the largest prompt budget allows (about a million tokens), so an oversized prompt never leaves the
// parser thread. One thread: parsing competes with requests for this machine's few cores.
export const defaultJsonBudget: JsonBudget = {
  inlineBytes: 256 * 1024,
  maxValues: 200_000,
  maxDepth: 64,
  maxTextChars: 4_000_000,
  timeoutMs: 5_000,
  queue: 32,
  threads: 1,
};

type Answer = { value?: unknown; error?: { status: number; message: string; code: string } };

interface Job {
  bytes: Uint8Array;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  worker?: Worker;
}

/**
 * Parser threads, each taking one body at a time. A body waits at most `queue` deep and `timeoutMs` long, waiting
 * included; a thread stuck past the limit, or one that fails, is replaced.
 */
class ParserPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: Job[] = [];
  private readonly busy = new Map<Worker, Job>();
  private threads = 0;
  private closed = false;

  constructor(private readonly budget: JsonBudget) {}

  private spawn(): Worker {
    this.threads++;
    const w = new Worker(new URL("./json-worker.mjs", import.meta.url), { execArgv: [], stdout: false, stderr: false });
    w.unref();
    w.on("message", (a: Answer) => {
      const job = this.busy.get(w);
      if (!job) return;
      this.finish(job);
      this.idle.push(w);
      this.pump();
      if (a.error) job.reject(new GatewayError(a.error.status, "invalid_request_error", a.error.message, a.error.code));
      else job.resolve(a.value);
    });
    const lost = (why: string) => {
      const job = this.busy.get(w);
      this.drop(w);
      if (job) {
        this.finish(job);
        job.reject(new GatewayError(500, "server_error", `The JSON parser thread failed: ${why}.`, "parser_failed"));
      }
      this.pump();
    };
    w.on("error", (err) => lost(err.message));
    w.on("exit", (code) => lost(`it exited with code ${code}`));
    return w;
  }

  private drop(w: Worker): void {
    if (this.busy.delete(w) || this.idle.includes(w)) this.threads--;
    const i = this.idle.indexOf(w);
    if (i !== -1) this.idle.splice(i, 1);
    w.removeAllListeners();
    void w.terminate();
  }

  private finish(job: Job): void {
    clearTimeout(job.timer);
    if (job.worker) this.busy.delete(job.worker);
  }

  private pump(): void {
    while (this.waiting.length && !this.closed) {
      const w = this.idle.pop() ?? (this.threads < this.budget.threads ? this.spawn() : undefined);
      if (!w) return;
      const job = this.waiting.shift()!;
      job.worker = w;
      this.busy.set(w, job);
      const { maxValues, maxDepth, maxTextChars } = this.budget;
      w.postMessage({ bytes: job.bytes, shape: { maxValues, maxDepth, maxTextChars } }, [job.bytes.buffer as ArrayBuffer]);
    }
  }

  parse(body: Buffer): Promise<unknown> {
    if (this.waiting.length >= this.budget.queue) {
      return Promise.reject(
        new GatewayError(503, "server_error", "Too many large JSON bodies are being read; try again shortly.", "parser_busy", null, 1),
      );
    }
    // The body's own memory moves to the thread when it is not shared with other buffers (large ones are not).
    const bytes = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? new Uint8Array(body.buffer) : new Uint8Array(body);
    return new Promise((resolve, reject) => {
      const job: Job = {
        bytes,
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(job);
          if (i !== -1) this.waiting.splice(i, 1);
          if (job.worker) this.drop(job.worker);
          this.pump();
          reject(
            new GatewayError(
              413,
              "invalid_request_error",
              `The JSON body took longer than ${this.budget.timeoutMs} ms to read.`,
              "parse_timeout",
            ),
          );
        }, this.budget.timeoutMs),
      };
      this.waiting.push(job);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.splice(0), ...this.busy.keys()];
    for (const w of all) w.removeAllListeners();
    await Promise.all(all.map((w) => w.terminate()));
  }
}

/**
 * Replaces Fastify's JSON parser: small bodies are parsed inline (with the same protection against `__proto__`
 * and `constructor.prototype`), large ones on parser threads, and every body is held to a budget of values and
 * depth before any handler sees it.
 */
export function parseJsonBodies(app: FastifyInstance, budget: JsonBudget = defaultJsonBudget): void {
  const inline = app.getDefaultJsonParser("error", "error");
  const pool = new ParserPool(budget);
  app.addHook("onClose", (_app, done) => void pool.close().then(() => done(), done));
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length > budget.inlineBytes)
      return void pool.parse(bytes).then(
        (value) => done(null, value),
        (err: Error) => done(err),
      );
    const text = bytes.toString("utf8");
    let value: unknown;
    let parsed = false;
    if (!mayBePoisoned(text))
      try {
        value = JSON.parse(text);
        parsed = true;
      } catch {
        // answered by Fastify's parser below
      }
    // Fastify's parser refuses poisoned bodies, names the error (empty body, bad JSON), strips a byte-order mark.
    if (!parsed) return inline(request, text, (err, v) => (err ? done(err) : withinBudget(v, budget, done)));
    withinBudget(value, budget, done);
  });
}

function withinBudget(value: unknown, budget: JsonBudget, done: (err: Error | null, value?: unknown) => void): void {
  const over = overBudget(value, budget);
  done(over ? new GatewayError(413, "invalid_request_error", over.message, over.code) : null, value);
}

/**
 * Whether a body could spell `__proto__` or `constructor`, literally or with `\u` escapes. Only such bodies need
 * Fastify's guarded parser (two long regular expressions over the text); for any other, JSON.parse gives the same.
 */
const mayBePoisoned = (text: string) => text.includes("\\u") || text.includes("__proto__") || text.includes("constructor");
