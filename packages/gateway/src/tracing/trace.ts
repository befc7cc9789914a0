/**
 * What the gateway asks of tracing; absent when tracing is off, so every call site costs one `undefined` check.
 * The OpenTelemetry implementation (otel.ts) is loaded only when OTLP is configured.
 */
export interface Tracer {
  /** A span under `parent` (a span, or a caller's W3C `traceparent`), or a new trace's root. */
  start(
    name: string,
    o: { parent?: TraceSpan | string | undefined; kind: "server" | "client" | "internal"; attributes?: SpanAttributes },
  ): TraceSpan;
  /** Sends what has ended and stops. */
  close(): Promise<void>;
}

export type SpanAttributes = Record<string, string | number | boolean>;

export interface TraceSpan {
  set(attributes: SpanAttributes): void;
  /** Marks the span failed, with why. */
  fail(message: string): void;
  end(): void;
  /** This span as a W3C `traceparent` header, for the request it makes. */
  traceparent(): string;
  /** A span of work done within this one (a skill, a store write). */
  child(name: string, attributes?: SpanAttributes): TraceSpan;
}

/** The traces endpoint the environment names, if any (tracing is off without one). */
export function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/$/, "")}/v1/traces` : undefined;
}

/** Runs `work` in a child span of `parent` (named `name`, marked failed if it throws); just runs it without one. */
export async function traced<T>(
  parent: TraceSpan | undefined,
  name: string,
  work: () => Promise<T>,
  attributes?: SpanAttributes,
): Promise<T> {
  if (!parent) return work();
  const span = parent.child(name, attributes);
  try {
    return await work();
  } catch (err) {
    span.fail((err as Error).message);
    throw err;
  } finally {
    span.end();
  }
}
