import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { fakeEmbedding, startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { readGguf } from "@benih/gguf";
import OpenAI from "openai";
import { request } from "undici";
import { startServer } from "./harness.ts";

// POST /v1/embeddings as OpenAI's SDK calls it: through an upstream speaking OpenAI's API (a loopback fake) and
// through a GGUF model run in the server by llama.cpp, under the same markets, policy, request log and quotas as chat.
const ggufPath = fileURLToPath(new URL("../../../models/benih-tiny-base.gguf", import.meta.url));
const embeddingSize = Number(readGguf(readFileSync(ggufPath)).metadata.get("llama.embedding_length"));

const yaml = (upstream: string) => `
providers:
  - { name: openai, type: openai, baseURL: "${upstream}/v1", apiKey: sk-upstream, listModels: false }
  - { name: claude, type: anthropic, baseURL: "http://127.0.0.1:9", apiKey: k, listModels: false }
  - { name: local, type: llama-cpp, models: [{ id: benih-tiny-base, path: "${ggufPath}" }] }
routes:
  - { model: embed, targets: [{ provider: openai, model: text-embedding-3-small }] }
  - { model: flaky-embed, targets: [{ provider: openai, model: rate-limited, retries: 0 }] }
prices:
  openai/text-embedding-3-small: { input: 0.02, output: 0 }
defaultMarket: global
markets:
  - id: global
    region: global
    displayName: { en: Global }
    brand: { name: { en: Global }, colors: { primary: "#1f6feb" } }
    defaultLocale: en
    locales: [en]
    hosts: [global.localhost]
    allow: [openai/*, local/*, claude/*]
    policy:
      blocked: [{ term: online casino, category: gambling }]
      refusal: { en: "Sorry, I can't help with that." }
  - id: cn
    region: cn
    displayName: { zh: 种子 }
    brand: { name: { zh: 种子 }, colors: { primary: "#e5484d" } }
    defaultLocale: zh
    locales: [zh]
    hosts: [cn.localhost]
    allow: [local/*]
    policy: { refusal: { zh: 抱歉。 } }
`;

let upstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let client: OpenAI;
let key: string;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ yaml: yaml(upstream.url) });
  key = (await server.store.apiKeys.create("sdk")).key;
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });
});
after(async () => {
  await server.close();
  await upstream.close();
});

/** A POST as a client on another host (the market is chosen by host), answered as status and JSON. */
async function post(body: unknown, host = "global.localhost") {
  const res = await request(`${server.url}/v1/embeddings`, {
    method: "POST",
    headers: { host, "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const json = (await res.body.json()) as any;
  return { status: res.statusCode, json, id: res.headers["x-request-id"] as string, policy: res.headers["x-benih-policy"] };
}

const asFloat32 = (v: number[]) => Array.from(Float32Array.from(v));
const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
const decode = (b64: string) => Array.from(new Float32Array(new Uint8Array(Buffer.from(b64, "base64")).buffer));

/** The SDK's error for a call that must fail. */
async function failure(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  assert.fail("the call succeeded");
}

describe("embeddings through an OpenAI-compatible upstream", () => {
  it("answers the SDK's default (base64) request with the upstream's vectors, in order, and logs usage and cost", async () => {
    const seen = upstream.seen.length;
    const { data, response } = await client.embeddings.create({ model: "embed", input: ["hello", "world!"] }).withResponse();
    assert.equal(response.headers.get("x-benih-target"), "openai/text-embedding-3-small");
    assert.deepEqual(
      data.data.map((d) => [d.index, Array.from(d.embedding)]),
      [
        [0, asFloat32(fakeEmbedding("text-embedding-3-small", "hello"))],
        [1, asFloat32(fakeEmbedding("text-embedding-3-small", "world!"))],
      ],
    );
    assert.deepEqual(data.usage, { prompt_tokens: 11, total_tokens: 11 });
    assert.equal(data.model, "embed");
    const sent = upstream.seen.slice(seen);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.path, "/v1/embeddings");
    assert.equal(sent[0]!.headers.authorization, "Bearer sk-upstream", "benih's key for the upstream, not the caller's");
    assert.deepEqual(sent[0]!.body.input, ["hello", "world!"]);
    assert.equal(sent[0]!.body.model, "text-embedding-3-small");

    await server.markets!.flush();
    const row = await server.markets!.stores.get("global")!.requestLog.get(response.headers.get("x-request-id")!);
    assert.equal(row?.endpoint, "/v1/embeddings");
    assert.equal(row?.status, 200);
    assert.equal(row?.target, "openai/text-embedding-3-small");
    assert.equal(row?.input_tokens, 11);
    assert.equal(row?.output_tokens, 0);
    assert.ok(Math.abs(row!.cost_usd! - (11 * 0.02) / 1e6) < 1e-15, `cost ${row?.cost_usd}`);
  });

  it("passes dimensions on and gives the shortened vectors", async () => {
    const r = await client.embeddings.create({
      model: "openai/text-embedding-3-small",
      input: "hello",
      dimensions: 256,
      encoding_format: "float",
    });
    assert.equal(r.data[0]!.embedding.length, 256);
    assert.deepEqual(r.data[0]!.embedding, asFloat32(fakeEmbedding("text-embedding-3-small", "hello", 256)));
    const sent = upstream.seen.at(-1)!.body;
    assert.equal(sent.dimensions, 256);
  });

  it("maps the upstream's errors: its 400 to a 400 that quotes it, 429 to 429, a refused key to 502", async () => {
    const bad = await failure(client.embeddings.create({ model: "openai/text-embedding-ada-002", input: "x", dimensions: 8 }));
    assert.equal(bad.status, 400);
    assert.match(bad.message, /does not support specifying dimensions/);
    const limited = await failure(client.embeddings.create({ model: "flaky-embed", input: "x" }));
    assert.equal(limited.status, 429);
    assert.equal(limited.code, "upstream_rate_limited");
    const auth = await failure(client.embeddings.create({ model: "openai/unauthorized", input: "x" }));
    assert.equal(auth.status, 502);
    assert.match(auth.message, /rejected benih's credentials \(HTTP 401\)/);
  });
});

describe("embeddings from a local GGUF model", () => {
  it("gives unit vectors of the model's embedding size; equal inputs give equal vectors", async () => {
    const r = await client.embeddings.create({
      model: "benih-tiny-base",
      input: ["What is the capital of Japan?", "What is the capital of Japan?", "Apa mata uang Indonesia?"],
      encoding_format: "float",
    });
    const [a, b, c] = r.data.map((d) => d.embedding);
    assert.equal(a!.length, embeddingSize);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.ok(Math.abs(norm(a!) - 1) < 1e-5);
    assert.ok(r.usage.prompt_tokens > 3, `the model's own token count: ${r.usage.prompt_tokens}`);
  });

  it("base64 carries the same float32 values; dimensions shortens and rescales to unit length", async () => {
    const input = "Which continent is Brazil in?";
    const float = (await client.embeddings.create({ model: "local/benih-tiny-base", input, encoding_format: "float" })).data[0]!.embedding;
    const b64 = (await client.embeddings.create({ model: "local/benih-tiny-base", input, encoding_format: "base64" })).data[0]!
      .embedding as unknown as string;
    assert.equal(typeof b64, "string");
    assert.deepEqual(decode(b64), float);
    const short = (await client.embeddings.create({ model: "benih-tiny-base", input, dimensions: 16, encoding_format: "float" })).data[0]!
      .embedding;
    assert.equal(short.length, 16);
    const head = float.slice(0, 16);
    for (const [i, x] of short.entries()) assert.ok(Math.abs(x - head[i]! / norm(head)) < 1e-5, `component ${i}`);
  });

  it("refuses more dimensions than the model gives, and an input longer than it reads, before any work", async () => {
    const wide = await failure(client.embeddings.create({ model: "benih-tiny-base", input: "x", dimensions: embeddingSize + 1 }));
    assert.equal(wide.status, 400);
    assert.equal(wide.param, "dimensions");
    const long = await failure(client.embeddings.create({ model: "benih-tiny-base", input: "capital ".repeat(400) }));
    assert.equal(long.status, 400);
    assert.equal(long.code, "context_length_exceeded");
  });
});

describe("what the embeddings endpoint refuses", () => {
  it("empty input, more than 2048 inputs, bad dimensions: 400 naming the parameter, nothing sent upstream", async () => {
    const seen = upstream.seen.length;
    for (const [body, param] of [
      [{ model: "embed", input: [] }, "input"],
      [{ model: "embed", input: "" }, "input"],
      [{ model: "embed", input: ["a", ""] }, "input[1]"],
      [{ model: "embed", input: Array(2049).fill("a") }, "input"],
      [{ model: "embed", input: "a", dimensions: 0 }, "dimensions"],
      [{ model: "embed", input: "a", dimensions: 1.5 }, "dimensions"],
      [{ model: "embed", input: "a", encoding_format: "int8" }, "encoding_format"],
    ] as const) {
      const r = await post(body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(r.json.error.type, "invalid_request_error");
      assert.equal(r.json.error.param, param);
    }
    assert.equal(upstream.seen.length, seen);
  });

  it("a 10 MB input: 413 in OpenAI's shape", async () => {
    const err = await failure(client.embeddings.create({ model: "embed", input: "a".repeat(10 * 1024 * 1024) }));
    assert.equal(err.status, 413);
    assert.equal(err.code, "request_too_large");
    assert.equal(err.type, "invalid_request_error");
  });

  it("a model whose provider makes no embeddings: 400 model_not_supported naming it", async () => {
    const err = await failure(client.embeddings.create({ model: "claude/claude-sonnet", input: "x" }));
    assert.equal(err.status, 400);
    assert.equal(err.code, "model_not_supported");
    assert.match(err.message, /claude\/claude-sonnet/);
  });

  it("a market's blocked term: refused, audited and logged, never sent upstream; token ids refused where a policy reads", async () => {
    const seen = upstream.seen.length;
    const r = await post({ model: "embed", input: ["fine text", "best online casino bonus"] });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, "content_policy_violation");
    assert.equal(r.policy, "input");
    const tokens = await post({ model: "embed", input: [[1, 2, 3]] });
    assert.equal(tokens.status, 400);
    assert.equal(tokens.json.error.code, "token_input_not_allowed");
    assert.equal(upstream.seen.length, seen);
    await server.markets!.flush();
    await new Promise((done) => setTimeout(done, 50)); // audit rows are written off the request path
    const audit = await server.markets!.stores.get("global")!.policyAudit.recent();
    const hit = audit.find((a) => a.request_id === r.id);
    assert.deepEqual([hit?.direction, hit?.category, hit?.term, hit?.model], ["input", "gambling", "online casino", "embed"]);
    const row = await server.markets!.stores.get("global")!.requestLog.get(r.id);
    assert.deepEqual([row?.endpoint, row?.status, row?.error_code, row?.target], ["/v1/embeddings", 400, "content_policy_violation", null]);
  });

  it("a market that does not allow the model: 404 model_not_found; its own local model works", async () => {
    const r = await post({ model: "embed", input: "你好" }, "cn.localhost");
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, "model_not_found");
    assert.equal((await post({ model: "openai/text-embedding-3-small", input: "你好" }, "cn.localhost")).status, 404);
    const local = await post({ model: "benih-tiny-base", input: "你好" }, "cn.localhost");
    assert.equal(local.status, 200);
    assert.equal(local.json.data[0].embedding.length, embeddingSize);
  });

  it("token ids for a local model are the model's own: embedded where no policy reads, refused outside its vocabulary", async () => {
    const ok = await post({ model: "benih-tiny-base", input: [5, 6, 7], encoding_format: "float" }, "cn.localhost");
    assert.equal(ok.status, 200);
    assert.equal(ok.json.usage.prompt_tokens, 3);
    assert.equal(ok.json.data[0].embedding.length, embeddingSize);
    const outside = await post({ model: "benih-tiny-base", input: [[5, 6, 10_000_000]] }, "cn.localhost");
    assert.equal(outside.status, 400);
    assert.match(outside.json.error.message, /not in the vocabulary/);
  });

  it("is described in /openapi.json", async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, { post?: object }> };
    assert.ok(doc.paths["/v1/embeddings"]?.post);
  });
});

describe("embeddings on a server without markets", () => {
  let up: FakeServer;
  let q: Awaited<ReturnType<typeof startServer>>;
  let sdk: OpenAI;
  before(async () => {
    up = await startFakeOpenAI();
    q = await startServer({
      env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${up.url}/v1` },
      yaml: "quota: { tokensPerDay: 30 }\n",
    });
    sdk = new OpenAI({ baseURL: `${q.url}/v1`, apiKey: (await q.store.apiKeys.create("quota")).key, maxRetries: 0 });
  });
  after(async () => {
    await q.close();
    await up.close();
  });
  const embeddingCalls = () => up.seen.filter((s) => s.path.endsWith("/embeddings"));

  it("passes token ids on as they came", async () => {
    const r = await sdk.embeddings.create({ model: "openai/text-embedding-3-small", input: [[9906, 1917]], encoding_format: "float" });
    assert.deepEqual(r.data[0]!.embedding, asFloat32(fakeEmbedding("text-embedding-3-small", [9906, 1917])));
    assert.deepEqual(embeddingCalls().at(-1)!.body.input, [[9906, 1917]]);
  });

  it("reserves the input's tokens before the upstream is called, and counts what was used", async () => {
    const { response } = await sdk.embeddings.create({ model: "openai/text-embedding-3-small", input: "x".repeat(20) }).withResponse();
    // 2 tokens used by the call above, 20 reserved for this one.
    assert.equal(response.headers.get("x-ratelimit-remaining-tokens"), "8");
    const calls = embeddingCalls().length;
    const err = await failure(sdk.embeddings.create({ model: "openai/text-embedding-3-small", input: "y".repeat(20) }));
    assert.equal(err.status, 429);
    assert.equal(embeddingCalls().length, calls, "the refused request never reached the upstream");
  });

  it("counts an upstream that reports no usage at the estimate it answers with, never as free", async () => {
    const own = new OpenAI({ baseURL: `${q.url}/v1`, apiKey: (await q.store.apiKeys.create("quiet")).key, maxRetries: 0 });
    const r = await own.embeddings.create({ model: "openai/no-usage", input: "w".repeat(12) });
    assert.equal(r.usage.prompt_tokens, 12, "one token a character, as reserved");
    const { response } = await own.embeddings.create({ model: "openai/no-usage", input: "v" }).withResponse();
    assert.equal(response.headers.get("x-ratelimit-remaining-tokens"), String(30 - 12 - 1), "the first call's 12 were kept");
  });
});
