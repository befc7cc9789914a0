import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AttemptRecord } from "@benih/contracts";

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The gateway's Prometheus metrics, on a registry of its own (two servers in one process stay apart). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "benih_requests_total",
    help: "Chat completion requests by requested model, serving target and HTTP status.",
    labelNames: ["model", "target", "status", "stream"] as const,
    registers: [this.registry],
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
  readonly tokens = new Counter({
    name: "benih_tokens_total",
    help: "Tokens in prompts (input) and answers (output).",
    labelNames: ["model", "target", "direction"] as const,
    registers: [this.registry],
  });
  readonly attempts = new Counter({
    name: "benih_upstream_attempts_total",
    help: "Attempts against upstream targets, by outcome (ok, error, skipped).",
    labelNames: ["target", "outcome"] as const,
    registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "benih_process_" });
  }

  // Bound children per label set: prom-client hashes the label object on every unbound call.
  private readonly attemptChildren = new Map<string, Counter.Internal>();
  private readonly children = new Map<string, { requests: Counter.Internal; duration: Histogram.Internal<"model" | "stream"> }>();

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
    const key = `${o.model}\0${o.target}\0${o.status}\0${o.stream}`;
    let c = this.children.get(key);
    if (!c) {
      const stream = String(o.stream);
      c = {
        requests: this.requests.labels({ model: o.model, target: o.target, status: String(o.status), stream }),
        duration: this.duration.labels({ model: o.model, stream }),
      };
      this.children.set(key, c);
    }
    c.requests.inc();
    c.duration.observe(o.totalMs / 1000);
    if (o.ttftMs !== undefined) this.ttft.observe({ model: o.model }, o.ttftMs / 1000);
    if (o.inputTokens) this.tokens.inc({ model: o.model, target: o.target, direction: "input" }, o.inputTokens);
    if (o.outputTokens) this.tokens.inc({ model: o.model, target: o.target, direction: "output" }, o.outputTokens);
    for (const a of o.attempts) {
      const k = `${a.target}\0${a.outcome}`;
      let child = this.attemptChildren.get(k);
      if (!child) this.attemptChildren.set(k, (child = this.attempts.labels({ target: a.target, outcome: a.outcome })));
      child.inc();
    }
  }
}
