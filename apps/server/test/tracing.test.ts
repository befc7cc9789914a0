import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { startServer } from "./harness.ts";
import { until } from "./until.ts";

// OpenTelemetry traces as a collector receives them: a loopback server speaking OTLP over HTTP (JSON, as the
// OpenTelemetry exporter sends it), a caller that sends its own traceparent, and an upstream that sees the trace go on.

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  status?: { code?: number; message?: string };
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

const spans: OtlpSpan[] = [];
const receiver: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
    };
    for (const r of body.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v && Object.values(v)[0];
};

let up: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  up = await startFakeOpenAI();
  const port = await new Promise<number>((resolve) =>
    receiver.listen(0, "127.0.0.1", () => resolve((receiver.address() as { port: number }).port)),
  );
  server = await startServer({
    yaml: `providers:\n  - { name: openai, type: openai, baseURL: "${up.url}/v1", apiKey: k, listModels: false }\nroutes:\n  - { model: steady, targets: [{ provider: openai, model: error-500, retries: 0 }, { provider: openai, model: ok }] }\ntraining: { localAgent: false }\n`,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
  });
});
after(async () => {
  await up.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("tracing", () => {
  it("traces an assistant answer: its span under the request's, its store writes, and the model call it makes", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const made = await fetch(`${server.url}/v1/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "steady" }),
    });
    const conversation = ((await made.json()) as { id: string }).id;
    const res = await fetch(`${server.url}/v1/conversations/${conversation}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      body: JSON.stringify({ content: "Hi" }),
    });
    assert.match(await res.text(), /event: done/);
    const named = (name: string) => spans.find((s) => s.traceId === traceId && s.name === name);
    const request = await until("the message request's span", async () => named("POST /v1/conversations/:id/messages"), 10_000);
    assert.equal(request.parentSpanId, "b7ad6b7169203331");
    const answer = await until("the answer's span", async () => named("answer"), 10_000);
    assert.equal(answer.parentSpanId, request.spanId, "the answer is work of the request");
    assert.equal(attr(answer, "benih.skill"), "chat");
    const modelCall = await until("the model call's span", async () => named("POST /v1/chat/completions"), 10_000);
    assert.equal(modelCall.parentSpanId, answer.spanId, "the assistant's call to the gateway goes on in the answer's trace");
    const attempts = await until("both attempts", async () => {
      const a = spans.filter((s) => s.traceId === traceId && s.parentSpanId === modelCall.spanId && s.name.startsWith("chat "));
      return a.length === 2 ? a : undefined;
    });
    assert.deepEqual(
      attempts.map((s) => s.name),
      ["chat openai/error-500", "chat openai/ok"],
    );
    const writes = spans.filter((s) => s.traceId === traceId && s.name === "store.write messages");
    assert.ok(writes.length >= 2, `the answer created, then finished (${writes.length} writes)`);
    assert.ok(writes.every((w) => w.parentSpanId === answer.spanId));
  });

  it("sends one trace for a chat request with a fallback, carried on to the upstream in traceparent", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const seenBefore = up.seen.length;
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ model: "steady", messages: [{ role: "user", content: "Hi" }] }),
    });
    assert.equal(res.status, 200);
    await res.text();
    await server.close(); // sends what has ended

    const upstreamSaw = up.seen.slice(seenBefore).map((s) => String(s.headers.traceparent ?? ""));
    assert.equal(upstreamSaw.length, 2, "the failed target, then the one that answered");
    for (const tp of upstreamSaw) assert.match(tp, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), "the caller's trace goes on upstream");

    const trace = spans.filter((s) => s.traceId === traceId);
    const request = trace.find((s) => s.name === "POST /v1/chat/completions");
    assert.ok(request, `the request's span, among ${trace.map((s) => s.name).join(", ")}`);
    assert.equal(request.parentSpanId, "00f067aa0ba902b7", "under the caller's span");
    assert.equal(attr(request, "http.response.status_code"), 200);
    assert.ok(Number(attr(request, "gen_ai.usage.output_tokens")) > 0, "with the tokens the upstream reported");
    const attempts = trace.filter((s) => s.parentSpanId === request.spanId && s.name.startsWith("chat "));
    assert.deepEqual(
      attempts.map((s) => s.name),
      ["chat openai/error-500", "chat openai/ok"],
    );
    const [failed, answered] = attempts;
    assert.equal(failed!.status?.code, 2, "the failed attempt is marked an error");
    assert.match(failed!.status?.message ?? "", /500/);
    assert.equal(attr(failed!, "http.response.status_code"), 500);
    assert.notEqual(answered!.status?.code, 2);
    assert.deepEqual(
      upstreamSaw.map((tp) => tp.split("-")[2]),
      attempts.map((s) => s.spanId),
      "each upstream request names its attempt's span",
    );
  });
});
