import { Worker } from "node:worker_threads";
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../errors.ts";
import { overBudget, type JsonShape } from "./json-budget.ts";

export interface JsonBudget extends JsonShape {
  /** Bodies up to this size are parsed on the event loop (quick); larger ones on a parser thread. */
  inlineBytes: number;
  /** A body that takes longer to parse is refused (413), and its thread replaced. */
  timeoutMs: number;
  /** Parser threads. */
  threads: number;
}

// Text: what the largest prompt budget allows (about a million tokens), so an oversized prompt never leaves the
// parser thread. One thread: parsing competes with requests for this machine's few cores.
export const defaultJsonBudget: JsonBudget = { inlineBytes: 256 * 1024, maxValues: 200_000, maxDepth: 64, maxTextChars: 4_000_000, timeoutMs: 5_000, threads: 1 };

type Answer = { id: number; value?: unknown; error?: { status: number; message: string; code: string } };

/** Parser threads, each taking one body at a time; a thread stuck past the time limit is replaced. */
class ParserPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Array<() => void> = [];
  private threads = 0;
  private nextId = 0;
  private closed = false;

  constructor(private readonly budget: JsonBudget) {}

  private spawn(): Worker {
    this.threads++;
    const w = new Worker(new URL("./json-worker.mjs", import.meta.url), { execArgv: [], stdout: false, stderr: false });
    w.unref();
    return w;
  }

  private async worker(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return w;
    if (this.threads < this.budget.threads) return this.spawn();
    await new Promise<void>((resolve) => this.queue.push(resolve));
    return this.worker();
  }

  private giveBack(w: Worker | undefined): void {
    if (w && !this.closed) this.idle.push(w);
    else if (w) void w.terminate();
    this.queue.shift()?.();
  }

  async parse(body: Buffer): Promise<unknown> {
    const w = await this.worker();
    const id = this.nextId++;
    // The body's own memory moves to the thread when it is not shared with other buffers (large ones are not).
    const bytes = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? new Uint8Array(body.buffer) : new Uint8Array(body);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        w.off("message", onMessage);
        this.threads--;
        void w.terminate();
        this.giveBack(undefined);
        reject(new GatewayError(413, "invalid_request_error", `The JSON body took longer than ${this.budget.timeoutMs} ms to parse.`, "parse_timeout"));
      }, this.budget.timeoutMs);
      const onMessage = (a: Answer) => {
        if (a.id !== id) return;
        clearTimeout(timer);
        w.off("message", onMessage);
        this.giveBack(w);
        if (a.error) reject(new GatewayError(a.error.status, "invalid_request_error", a.error.message, a.error.code));
        else resolve(a.value);
      };
      w.on("message", onMessage);
      const { maxValues, maxDepth, maxTextChars } = this.budget;
      w.postMessage({ id, bytes, shape: { maxValues, maxDepth, maxTextChars } }, [bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
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
    if (bytes.length > budget.inlineBytes) return void pool.parse(bytes).then((value) => done(null, value), (err: Error) => done(err));
    inline(request, bytes.toString("utf8"), (err, value) => {
      if (err) return done(err);
      const over = overBudget(value, budget);
      done(over ? new GatewayError(413, "invalid_request_error", over.message, over.code) : null, value);
    });
  });
}
