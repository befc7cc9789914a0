import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

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
}
