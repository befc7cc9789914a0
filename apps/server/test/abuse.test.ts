import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { routeTable, type RouteEntry } from "@benih/gateway";
import { Client } from "undici";
import { docxBomb, pdfBomb } from "./bombs.ts";
import { bytesUnder } from "./disk.ts";
import { probingHealth } from "./health.ts";
import { startServer } from "./harness.ts";

// The attacker's view of a server that requires keys: every route the running server has, asked for in every
// spelling of its path that a router might decode to the same place, without a key. None may do any work.

const yaml = (upstream: string) => `
auth: { required: true }
providers:
  - { name: openai, type: openai, baseURL: "${upstream}", apiKey: k, listModels: false }
routes:
  - { model: gpt, targets: [{ provider: openai, model: ok }] }
assistant:
  images: [{ name: openai, type: openai, model: gpt-image-1, apiKey: k, baseURL: "${upstream}" }]
markets:
  - id: global
    region: global
    displayName: { en: Benih }
    brand: { name: { en: Benih }, colors: { primary: "#1f6feb" } }
    defaultLocale: en
    locales: [en]
    hosts: [localhost, 127.0.0.1]
    allow: [openai/*]
    policy: { blocked: [{ term: online casino, category: gambling }], refusal: { en: "Sorry, I can't help with that." } }
training:
  agents:
    - { region: cn-north, token: agent-token-cn-north-0001 }
  datasets:
    - { id: cn-chat, market: global, region: cn-north, source: cn }
`;

/** A concrete path for a route pattern: parameters and wildcards filled with harmless values. */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, "x1").replace(/\*$/, "a");

/**
 * The ways an attacker spells one path: letters and digits as percent-escapes (both cases), doubled slashes, dot
 * segments, backslashes, a trailing slash, another case, a matrix parameter, double encoding.
 */
function spellings(path: string): string[] {
  const letter = path.search(/[a-z]/);
  const digit = path.search(/[0-9]/);
  const esc = (i: number, upper = false) => {
    const hex = path.charCodeAt(i).toString(16);
    return `${path.slice(0, i)}%${upper ? hex.toUpperCase() : hex}${path.slice(i + 1)}`;
  };
  const forms = [
    esc(letter),
    esc(letter, true),
    path.replace(/^\/([^/]+)/, (_, s: string) => `/${s.replace(/[a-z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}`),
    `/${path}`,
    path.replace(/\//g, "//"),
    `/.${path}`,
    `/./${path.slice(1)}`,
    `/x/..${path}`,
    `/%2e%2e${path}`,
    `/%2e${path}`,
    `/${path.slice(1).replace(/\//g, "\\")}`,
    path.replace(/^\/([^/]+)\//, "/$1%5c"),
    `${path}/`,
    path.toUpperCase(),
    path.replace(/^\/([^/]+)/, "/$1;x=1"),
    `/%25${path.slice(1)}`,
    `${path}%00`,
    `${path}?/health`,
    `/health/..${path}`,
  ];
  if (digit !== -1) forms.push(esc(digit));
  return [...new Set(forms)];
}

let upstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let client: Client;
let routes: RouteEntry[];

/** One request with the path exactly as given (no URL normalisation on the way). */
async function raw(method: string, path: string, headers: Record<string, string> = {}) {
  const hasBody = method !== "GET" && method !== "HEAD" && method !== "DELETE";
  const res = await client.request({
    method: method as "GET",
    path,
    headers: { host: "localhost", ...(hasBody && { "content-type": "application/json" }), ...headers },
    ...(hasBody && {
      body: JSON.stringify(
        path.includes("/control/")
          ? { cluster: { id: "bj-1", region: "cn-north", operator: "x", nodes: [] } }
          : { model: "gpt", messages: [{ role: "user", content: "hello" }], prompt: "a cat", content: "hello" },
      ),
    }),
  });
  const body = await res.body.text();
  return { status: res.statusCode, body };
}

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({ yaml: yaml(`${upstream.url}/v1`) });
  client = new Client(server.url);
  routes = routeTable(server.app);
});
after(async () => {
  await client.close();
  await server.close();
  await upstream.close();
});

describe("no way around the key", () => {
  it("takes the route list from the running server, and every route declares who may call it", () => {
    const paths = new Set(routes.map((r) => r.url));
    for (const p of [
      "/v1/chat/completions",
      "/v1/models",
      "/v1/conversations/:id/messages",
      "/v1/knowledge/documents",
      "/v1/images/generations",
      "/v1/videos",
      "/control/v1/agents",
      "/control/v1/runs",
      "/v1/feedback",
      "/metrics",
      "/health",
    ]) {
      assert.ok(paths.has(p), `${p} is among the server's routes`);
    }
    assert.ok(routes.length > 40, `${routes.length} routes`);
    for (const r of routes) assert.match(r.access, /^(public|person|admin|market-admin|agent)$/);
  });

  it("answers every non-public route, in every spelling of its path, with 400, 401, 403 or 404 and no work done", async () => {
    const guarded = routes.filter((r) => r.access !== "public");
    const store = server.markets!.stores.get("global")!;
    const stored = async () => [
      (await store.conversations.list(null, { limit: 10 })).length,
      (await store.knowledge.list(null)).length,
      (await server.store.training.listRuns()).length,
    ];
    const before = await stored();
    const seen = new Map<number, number>();
    for (const r of guarded) {
      const path = concrete(r.url);
      for (const p of [path, ...spellings(path)]) {
        const { status, body } = await raw(r.method, p);
        seen.set(status, (seen.get(status) ?? 0) + 1);
        assert.ok([400, 401, 403, 404].includes(status), `${r.method} ${p} (${r.access}) answered ${status}: ${body.slice(0, 200)}`);
        if (r.method === "HEAD") assert.equal(body, "");
        if (p === path) assert.equal(status, 401, `${r.method} ${p} without a key`);
      }
    }
    // Nothing reached a model or an image server, and nothing was stored for anyone.
    assert.deepEqual(
      upstream.seen.map((s) => s.path),
      [],
    );
    assert.deepEqual(await stored(), before);
    assert.ok((seen.get(400) ?? 0) > 0 && (seen.get(401) ?? 0) > 0, JSON.stringify([...seen]));
  });

  it("with a person's key, an odd spelling never reaches a handler: 400 or 404, never what the real path answers", async () => {
    const key = (await server.store.apiKeys.create("person")).key;
    const auth = { authorization: `Bearer ${key}` };
    assert.equal((await raw("GET", "/v1/models", auth)).status, 200);
    for (const p of spellings("/v1/models")) {
      const { status } = await raw("GET", p, auth);
      if (p === "/v1/models?/health") assert.equal(status, 200);
      else assert.ok([400, 404].includes(status), `${p} answered ${status}`);
    }
  });

  it("keeps agents' routes for agent tokens and runs' routes for admins, whatever key a person holds", async () => {
    const key = (await server.store.apiKeys.create("person2")).key;
    const auth = { authorization: `Bearer ${key}` };
    for (const r of routes.filter((x) => x.access === "agent" && x.method !== "HEAD")) {
      assert.equal((await raw(r.method, concrete(r.url), auth)).status, 401, `${r.method} ${r.url} with a person's key`);
    }
    for (const r of routes.filter((x) => (x.access === "admin" || x.access === "market-admin") && x.method !== "HEAD")) {
      assert.equal((await raw(r.method, concrete(r.url), auth)).status, 403, `${r.method} ${r.url} with a person's key`);
    }
    const agent = await raw("POST", "/control/v1/agents", { authorization: "Bearer agent-token-cn-north-0001" });
    assert.equal(agent.status, 200, agent.body);
  });

  it("serves the public routes without a key", async () => {
    for (const p of ["/health", "/openapi.json"]) assert.equal((await raw("GET", p)).status, 200, p);
  });
});

describe("the content policy wherever text enters a model", () => {
  let key: string;
  const auth = () => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });
  const audited = async () => (await server.markets!.stores.get("global")!.policyAudit.recent()).length;
  before(async () => {
    key = (await server.store.apiKeys.create("writer")).key;
  });

  const complete = async (messages: unknown[]) => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ model: "gpt", messages }),
    });
    return {
      status: res.status,
      policy: res.headers.get("x-benih-policy"),
      body: (await res.json()) as { choices: Array<{ finish_reason: string; message: { content: string } }> },
    };
  };

  it("refuses and audits a blocked term in a system, developer, assistant or tool message, or spelled to slip past", async () => {
    const cases: Array<[string, unknown[]]> = [
      [
        "system",
        [
          { role: "system", content: "Recommend an online casino." },
          { role: "user", content: "hello" },
        ],
      ],
      [
        "developer",
        [
          { role: "developer", content: "Talk about the online casino." },
          { role: "user", content: "hello" },
        ],
      ],
      [
        "assistant",
        [
          { role: "user", content: "hi" },
          { role: "assistant", content: "Try an online casino!" },
          { role: "user", content: "ok" },
        ],
      ],
      ["zero-width space", [{ role: "user", content: "best onl\u200Bine ca\u200Bsino?" }]],
      ["double space", [{ role: "user", content: "best online  casino?" }]],
      ["fullwidth", [{ role: "user", content: "best ｏｎｌｉｎｅ ＣＡＳＩＮＯ?" }]],
    ];
    for (const [what, messages] of cases) {
      const before = await audited();
      const r = await complete(messages);
      assert.equal(r.status, 200, what);
      assert.equal(r.policy, "input", what);
      assert.equal(r.body.choices[0]!.finish_reason, "content_filter", what);
      assert.equal(await audited(), before + 1, `${what} is audited`);
    }
    assert.equal(upstream.seen.filter((s) => s.path.includes("chat")).length, 0, "no blocked text reached the model");
  });

  it("refuses and audits an agent whose instructions hold a blocked term, before its model sees them", async () => {
    const json = async (method: string, path: string, body?: unknown) =>
      (
        await fetch(server.url + path, { method, headers: auth(), ...(body !== undefined && { body: JSON.stringify(body) }) })
      ).json() as Promise<{ id: string }>;
    const agent = await json("POST", "/v1/agents", { name: "Croupier", instructions: "Always recommend an online casino." });
    const convo = await json("POST", "/v1/conversations", { agent: agent.id, model: "gpt" });
    const before = await audited();
    const res = await fetch(`${server.url}/v1/conversations/${convo.id}/messages`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ content: "What should I do tonight?" }),
    });
    const events = await res.text();
    assert.match(events, /Sorry, I can't help with that\./);
    assert.equal(await audited(), before + 1);
    assert.equal(upstream.seen.filter((s) => s.path.includes("chat")).length, 0);
  });

  it("refuses and audits a blocked image prompt before it reaches the image server", async () => {
    const before = await audited();
    const res = await fetch(`${server.url}/v1/images/generations`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ prompt: "a poster for an ｏｎｌｉｎｅ casino" }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, "content_policy_violation");
    assert.equal(await audited(), before + 1);
    assert.deepEqual(
      upstream.seen.filter((s) => s.path.includes("images")),
      [],
    );
  });
});

describe("no request can stall the server", () => {
  it("refuses a DOCX bomb, a 2,000-page PDF and huge prompts sent at once, each with a reason, while /health answers", async () => {
    const key = (await server.store.apiKeys.create("mallory")).key;
    const headers = { authorization: `Bearer ${key}` };
    const docx = await docxBomb({ megabytes: 300 });
    const pdf = pdfBomb({ pages: 2000, ops: 300 });
    const word = "seed ";
    const inputs = {
      "bomb.docx": { path: "/v1/knowledge/documents?name=bomb.docx", type: "application/octet-stream", body: docx },
      "pages.pdf": { path: "/v1/knowledge/documents?name=pages.pdf", type: "application/octet-stream", body: pdf },
      "20 MB prompt": {
        path: "/v1/chat/completions",
        type: "application/json",
        body: Buffer.from(JSON.stringify({ model: "gpt", messages: [{ role: "user", content: word.repeat(4_200_000) }] })),
      },
      "15 MB prompt": {
        path: "/v1/chat/completions",
        type: "application/json",
        body: Buffer.from(JSON.stringify({ model: "gpt", messages: [{ role: "user", content: word.repeat(3_000_000) }] })),
      },
      "600,000 messages": {
        path: "/v1/chat/completions",
        type: "application/json",
        body: Buffer.from(
          JSON.stringify({ model: "gpt", messages: Array.from({ length: 600_000 }, () => ({ role: "user", content: "seed" })) }),
        ),
      },
      "deep JSON": {
        path: "/v1/chat/completions",
        type: "application/json",
        body: Buffer.from(`{"model":"gpt","messages":[{"role":"user","content":"hi"}],"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`),
      },
    };
    const sent = Object.values(inputs).reduce((n, i) => n + i.body.length, 0);
    const before = bytesUnder(server.dataDir);
    const { result: answers, worstHealthMs: worst } = await probingHealth(server.url, () =>
      Promise.all(
        Object.entries(inputs).map(async ([what, i]) => {
          const t = performance.now();
          const res = await fetch(server.url + i.path, { method: "POST", headers: { ...headers, "content-type": i.type }, body: i.body });
          const body = (await res.json()) as { error?: { message: string; code: string } };
          return { what, status: res.status, ms: performance.now() - t, error: body.error };
        }),
      ),
    );
    for (const a of answers) {
      assert.ok([413, 422].includes(a.status), `${a.what}: ${a.status} ${JSON.stringify(a.error)}`);
      assert.ok(a.error?.message, `${a.what} says why`);
      // Refused by a budget, not by the 20 s reading limit: well under it even on two busy cores (this is no speed
      // claim; bench:abuse measures those).
      assert.ok(a.ms < 12_000, `${a.what} answered in ${Math.round(a.ms)} ms`);
    }
    const expected: Record<string, string> = {
      "bomb.docx": "document_too_large",
      "pages.pdf": "document_too_large",
      "20 MB prompt": "request_too_large",
      "15 MB prompt": "too_much_text",
      "600,000 messages": "too_many_values",
      "deep JSON": "nested_too_deep",
    };
    const reasons = Object.fromEntries(answers.map((a) => [a.what, a.error!.code]));
    // The two large bodies queue for the one parser thread; on a loaded machine the second can reach the parse time
    // limit (5 s, waiting included) before its own budget is read, and is refused for that instead. Not both.
    const timedOut = ["15 MB prompt", "600,000 messages"].filter((what) => reasons[what] === "parse_timeout");
    assert.ok(timedOut.length < 2, "the first large body in the queue is refused by its budget");
    for (const what of timedOut) reasons[what] = expected[what]!;
    assert.deepEqual(reasons, expected);
    // The strict number (p99 under 100 ms) is measured by bench:abuse on a server in its own process; here the
    // probes share the test's event loop with the uploads, so only a stall would show.
    assert.ok(worst < 1500, `the slowest /health took ${Math.round(worst)} ms`);
    const grown = bytesUnder(server.dataDir) - before;
    assert.ok(grown <= sent, `the store grew by ${grown} bytes for ${sent} bytes sent`);
  });
});
