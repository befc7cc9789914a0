import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { IMAGES_MISSING } from "@benih/assistant";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { pdfOf } from "./documents.ts";
import { startServer } from "./harness.ts";

// benih as an MCP server, through the SDK's own client over Streamable HTTP, against the whole server: keys
// required, a market with a content policy and one with a tight request quota, a loopback OpenAI server for the
// chat model (`upper` answers the text in capitals, the "translation" checked) and for images.
const PNG = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
const market = (id: string, host: string, extra = "") => `
  - id: ${id}
    region: global
    displayName: { en: ${id} }
    brand: { name: { en: ${id} }, colors: { primary: "#1f6feb" } }
    defaultLocale: en
    locales: [en]
    hosts: [${host}]
    allow: [openai/*]
    policy: { blocked: [{ term: online casino, category: gambling }], refusal: { en: "Sorry, I can't help with that." } }${extra}`;

let upstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let bare: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;

before(async () => {
  upstream = await startFakeOpenAI({ models: ["upper"] });
  server = await startServer({
    env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
    yaml: `
auth: { required: true }
routes:
  - { model: upper, targets: [{ provider: openai, model: upper }] }
assistant:
  images: [{ name: openai, type: openai, model: gpt-image-1, apiKey: sk-img, baseURL: "${upstream.url}/v1" }]
markets:${market("global", "127.0.0.1")}${market("tight", "localhost", "\n    quota: { requestsPerMinute: 3 }")}
`,
  });
  bare = await startServer({
    env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
    yaml: "routes:\n  - { model: upper, targets: [{ provider: openai, model: upper }] }\n",
  });
  alice = (await server.store.apiKeys.create("alice", "user", "global")).key;
  bob = (await server.store.apiKeys.create("bob", "user", "global")).key;
});
after(async () => {
  await server?.close();
  await bare?.close();
  await upstream?.close();
});

/** An MCP client of `base`/mcp, sending `key` as a bearer token with every request. */
async function connect(key: string | undefined, base = server.url) {
  const client = new Client({ name: "benih-test", version: "1.0.0" });
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", base), { requestInit: { headers } }));
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;
const texts = (r: CallToolResult) => r.content.flatMap((c) => (c.type === "text" ? [c.text] : []));

async function upload(key: string, name: string, body: string | Uint8Array) {
  const res = await fetch(`${server.url}/v1/knowledge/documents?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/octet-stream" },
    body: typeof body === "string" ? body : Buffer.from(body),
  });
  assert.equal(res.status, 201, await res.text());
}

/** The HTTP status an MCP client's connection was refused with. */
async function refusedWith(work: () => Promise<unknown>): Promise<{ status: number | undefined; message: string }> {
  try {
    await work();
  } catch (err) {
    return { status: err instanceof StreamableHTTPError ? err.code : undefined, message: (err as Error).message };
  }
  assert.fail("it was not refused");
}

describe("benih as an MCP server at /mcp", () => {
  it("lists its tools, with their arguments' limits, to a client with a key", async () => {
    const client = await connect(alice);
    assert.equal(client.getServerVersion()?.name, "benih");
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ["generate_image", "search_knowledge", "translate"]);
    const translate = tools.find((t) => t.name === "translate")!;
    assert.deepEqual(translate.inputSchema.required?.sort(), ["target_language", "text"]);
    const text = translate.inputSchema.properties?.text as { maxLength?: number; description?: string } | undefined;
    assert.deepEqual([text?.maxLength, text?.description], [100_000, "The text to translate"]);
    await client.close();
  });

  it("search_knowledge finds the person's own passages with title, file and page, and never another person's", async () => {
    await upload(alice, "komodo.md", "# Komodo notes\n\nThe Komodo dragon lives on five islands of Indonesia.");
    const mine = await call(await connect(alice), "search_knowledge", { query: "Komodo islands" });
    assert.equal(mine.isError, undefined);
    assert.equal(texts(mine).length, 1);
    assert.match(
      texts(mine)[0]!,
      /^\[1\] Komodo notes \(komodo\.md\)\n(# Komodo notes\n+)?The Komodo dragon lives on five islands of Indonesia\.$/,
    );

    await upload(alice, "bites.pdf", await pdfOf(["Orangutans live in Borneo.", "A Komodo bite holds venom."]));
    const paged = await call(await connect(alice), "search_knowledge", { query: "venom" });
    assert.deepEqual(texts(paged), ["[1] bites (bites.pdf, page 2)\nA Komodo bite holds venom."]);

    const theirs = await call(await connect(bob), "search_knowledge", { query: "Komodo islands" });
    assert.deepEqual(texts(theirs), ['Nothing in your documents matches "Komodo islands".']);
    const empty = await call(await connect(alice), "search_knowledge", { query: "  " });
    assert.deepEqual([empty.isError, texts(empty)], [true, ["query: say what to look for"]]);
  });

  it("translate answers through the market's default chat model with the translate prompt", async () => {
    const client = await connect(alice);
    const done = await call(client, "translate", { text: "selamat pagi, dunia", target_language: "English" });
    assert.equal(done.isError, undefined, texts(done).join());
    assert.deepEqual(texts(done), ["SELAMAT PAGI, DUNIA"]);
    const system = upstream.seen.at(-1)?.body?.messages?.[0]?.content as string;
    assert.match(system, /translate it into English/);

    const before = upstream.seen.length;
    const long = await call(client, "translate", { text: "x".repeat(100_001), target_language: "English" });
    assert.equal(long.isError, true);
    assert.match(texts(long)[0]!, /^text: at most 100000 characters/);
    assert.equal(upstream.seen.length, before, "refused before any model work");
  });

  it("generate_image answers the image as base64 PNG and keeps it; without an image model it says what to configure", async () => {
    const drawn = await call(await connect(alice), "generate_image", { prompt: "a komodo dragon at dawn", size: "64x64" });
    assert.equal(drawn.isError, undefined, texts(drawn).join());
    const image = drawn.content.find((c) => c.type === "image");
    assert.ok(image && image.type === "image");
    assert.equal(image.mimeType, "image/png");
    assert.deepEqual(Buffer.from(image.data, "base64").subarray(0, 8), PNG);
    const url = texts(drawn)[0]!.match(/kept in your images at (\S+)/)![1]!;
    const kept = await fetch(new URL(new URL(url).pathname, server.url), { headers: { authorization: `Bearer ${alice}` } });
    assert.deepEqual([kept.status, kept.headers.get("content-type")], [200, "image/png"]);

    const missing = await call(await connect(undefined, bare.url), "generate_image", { prompt: "a kite" });
    assert.deepEqual([missing.isError, texts(missing)], [true, [IMAGES_MISSING]]);
  });

  it("refuses and audits a term the market's policy blocks, before any model work", async () => {
    const client = await connect(alice);
    const before = upstream.seen.length;
    for (const [tool, args] of [
      ["translate", { text: "Welcome to our online casino", target_language: "Indonesian" }],
      ["generate_image", { prompt: "an online casino at night" }],
    ] as const) {
      const refused = await call(client, tool, args);
      assert.deepEqual([refused.isError, texts(refused)], [true, ["This prompt is not allowed here (gambling)."]], tool);
    }
    assert.equal(upstream.seen.length, before);
    const audit = await server.markets!.stores.get("global")!.policyAudit.recent(5);
    assert.deepEqual(
      audit
        .filter((a) => a.term === "online casino")
        .map((a) => a.model)
        .sort(),
      ["openai/gpt-image-1", "upper"],
    );
  });

  it("refuses a client without a key, with a revoked key, and a GET or DELETE (no stream, no session)", async () => {
    const none = await refusedWith(() => connect(undefined));
    assert.equal(none.status, 401, none.message);

    const carol = await server.store.apiKeys.create("carol", "user", "global");
    const client = await connect(carol.key);
    assert.equal(await server.store.apiKeys.revoke(carol.id), 1);
    const revoked = await refusedWith(() => client.listTools());
    assert.equal(revoked.status, 401, revoked.message);
    assert.equal((await refusedWith(() => connect(carol.key))).status, 401);

    // A message posted as any MCP client posts it: answered as JSON, with the market's header.
    const init = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } },
      }),
    });
    assert.deepEqual([init.status, init.headers.get("x-benih-market")], [200, "global"]);
    assert.equal(((await init.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name, "benih");

    // A batch would run many tool calls for one request of quota: refused whole, nothing run.
    const drawnBefore = upstream.seen.length;
    const batch = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify(
        [1, 2, 3].map((id) => ({
          jsonrpc: "2.0",
          id,
          method: "tools/call",
          params: { name: "generate_image", arguments: { prompt: "a cat" } },
        })),
      ),
    });
    assert.equal(batch.status, 400);
    assert.equal(((await batch.json()) as { error: { code: number } }).error.code, -32600);
    assert.equal(upstream.seen.length, drawnBefore, "no image was drawn");

    for (const method of ["GET", "DELETE"]) {
      const bare405 = await fetch(`${server.url}/mcp`, { method, headers: { authorization: `Bearer ${alice}` } });
      assert.deepEqual([bare405.status, bare405.headers.get("allow")], [405, "POST"], method);
      assert.equal((await fetch(`${server.url}/mcp`, { method })).status, 401, `${method} without a key`);
    }
  });

  it("counts each message posted as one request of the caller's quota", async () => {
    const tight = (await server.store.apiKeys.create("dan", "user", "tight")).key;
    const base = server.url.replace("127.0.0.1", "localhost");
    const client = await connect(tight, base); // initialize, then the initialized notification: two requests
    await client.listTools(); // the third
    const over = await refusedWith(() => client.listTools());
    assert.equal(over.status, 429, over.message);
  });
});
