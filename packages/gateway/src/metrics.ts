import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AttemptRecord } from "@benih/contracts";

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Counts kept as plain numbers per label set on the hot path and handed to prom-client's counter when it is
 * collected (a scrape): prom-client validates and hashes the labels on every call, several microseconds a request.
 */
class Tally<L extends string> {
  private readonly pending = new Map<string, { labels: Record<L, string>; n: number }>();

  /** Adds `n` to a label set seen before; false for a new one, which `open` then adds. */
  add(key: string, n: number): boolean {
    const p = this.pending.get(key);
    if (p) p.n += n;
    return p !== undefined;
  }

  open(key: string, labels: Record<L, string>, n: number): void {
    this.pending.set(key, { labels, n });
  }

  flushInto(counter: Counter<L>): void {
    for (const p of this.pending.values()) {
      if (p.n) counter.inc(p.labels, p.n);
      p.n = 0;
    }
  }
}

/** The gateway's Prometheus metrics, on a registry of its own (two servers in one process stay apart). */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requestTally = new Tally<"model" | "target" | "status" | "stream">();
  private readonly tokenTally = new Tally<"model" | "target" | "direction">();
  private readonly attemptTally = new Tally<"target" | "outcome">();
  readonly requests: Counter<"model" | "target" | "status" | "stream"> = new Counter({
    name: "benih_requests_total",
    help: "Chat completion requests by requested model, serving target and HTTP status.",
    labelNames: ["model", "target", "status", "stream"] as const,
    registers: [this.registry],
    collect: () => this.requestTally.flushInto(this.requests),
  });
  readonly duration = new Histogram({
    name: "benih_request_duration_seconds",
    help: "Time from request to the last byte of the answer.",
    labelNames: ["model", "stream"] as const,
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  readonly ttft = new Histogram({
    name: "benih_time_to_first_token_seconds",
    help: "Time from request to the first streamed token.",
    labelNames: ["model"] as const,
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  readonly tokens: Counter<"model" | "target" | "direction"> = new Counter({
    name: "benih_tokens_total",
    help: "Tokens in prompts (input) and answers (output).",
    labelNames: ["model", "target", "direction"] as const,
    registers: [this.registry],
    collect: () => this.tokenTally.flushInto(this.tokens),
  });
  readonly attempts: Counter<"target" | "outcome"> = new Counter({
    name: "benih_upstream_attempts_total",
    help: "Attempts against upstream targets, by outcome (ok, error, skipped).",
    labelNames: ["target", "outcome"] as const,
    registers: [this.registry],
    collect: () => this.attemptTally.flushInto(this.attempts),
  });

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "benih_process_" });
  }

  // Histograms by bound children per label set, so the label object is made once.
  private readonly durations = new Map<string, Histogram.Internal<"model" | "stream">>();
  private readonly ttfts = new Map<string, Histogram.Internal<"model">>();

  observeChat(o: {
    model: string;
    target: string;
    status: number;
    stream: boolean;
    totalMs: number;
    ttftMs: number | undefined;
    inputTokens: number | undefined;
    outputTokens: number | undefined;
    attempts: AttemptRecord[];
  }): void {
    const stream = o.stream ? "true" : "false";
    const rk = `${o.model}\0${o.target}\0${o.status}\0${stream}`;
    if (!this.requestTally.add(rk, 1))
      this.requestTally.open(rk, { model: o.model, target: o.target, status: String(o.status), stream }, 1);
    const dk = `${o.model}\0${stream}`;
    let d = this.durations.get(dk);
    if (!d) this.durations.set(dk, (d = this.duration.labels({ model: o.model, stream })));
    d.observe(o.totalMs / 1000);
    if (o.ttftMs !== undefined) {
      let t = this.ttfts.get(o.model);
      if (!t) this.ttfts.set(o.model, (t = this.ttft.labels({ model: o.model })));
      t.observe(o.ttftMs / 1000);
    }
    if (o.inputTokens) {
      const k = `${o.model}\0${o.target}\0input`;
      if (!this.tokenTally.add(k, o.inputTokens))
        this.tokenTally.open(k, { model: o.model, target: o.target, direction: "input" }, o.inputTokens);
    }
    if (o.outputTokens) {
      const k = `${o.model}\0${o.target}\0output`;
      if (!this.tokenTally.add(k, o.outputTokens))
        this.tokenTally.open(k, { model: o.model, target: o.target, direction: "output" }, o.outputTokens);
    }
    for (const a of o.attempts) {
      const k = `${a.target}\0${a.outcome}`;
      if (!this.attemptTally.add(k, 1)) this.attemptTally.open(k, { target: a.target, outcome: a.outcome }, 1);
    }
  }
}
