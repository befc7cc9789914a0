import { context, type Span, SpanKind, SpanStatusCode, trace, TraceFlags, type Tracer as OtelTracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { SpanAttributes, TraceSpan, Tracer } from "./trace.ts";

const kinds = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A caller's `traceparent` as the parent context of this request's spans; malformed or all-zero ids are ignored. */
function remoteParent(header: string) {
  const m = TRACEPARENT.exec(header.trim());
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return context.active();
  return trace.setSpanContext(context.active(), { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16), isRemote: true });
}

class OtelSpan implements TraceSpan {
  constructor(
    readonly span: Span,
    private readonly tracer: OtelTracer,
  ) {}
  child(name: string, attributes?: SpanAttributes): TraceSpan {
    const parent = trace.setSpan(context.active(), this.span);
    return new OtelSpan(this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, ...(attributes && { attributes }) }, parent), this.tracer);
  }
  set(attributes: SpanAttributes): void {
    this.span.setAttributes(attributes);
  }
  fail(message: string): void {
    this.span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  end(): void {
    this.span.end();
  }
  traceparent(): string {
    const c = this.span.spanContext();
    return `00-${c.traceId}-${c.spanId}-0${c.traceFlags & TraceFlags.SAMPLED}`;
  }
}

/**
 * OpenTelemetry traces sent by OTLP over HTTP (JSON) to `tracesUrl`, in batches: the standard
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`.
 */
export function otlpTracer(tracesUrl: string, serviceName: string, serviceVersion: string): Tracer {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName, "service.version": serviceVersion }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl }), scheduledDelayMillis: 1_000 })],
  });
  const tracer: OtelTracer = provider.getTracer("benih", serviceVersion);
  return {
    start(name, o) {
      const parent =
        o.parent === undefined
          ? context.active()
          : typeof o.parent === "string"
            ? remoteParent(o.parent)
            : trace.setSpan(context.active(), (o.parent as OtelSpan).span);
      return new OtelSpan(
        tracer.startSpan(name, { kind: kinds[o.kind], ...(o.attributes && { attributes: o.attributes }) }, parent),
        tracer,
      );
    },
    close: () => provider.shutdown(),
  };
}
