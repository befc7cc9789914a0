import { settingsView } from "@benih/contracts";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, startFakeWebSearch, type FakeServer } from "@benih/fake-upstreams";
import { startServer } from "./harness.ts";

// The web skill end to end: a loopback Brave-style search API whose results point at a loopback site (allowed by
// assistant.fetchAllow, as an operator would allow an intranet host), pages fetched through the SSRF guard, and an
// answer citing them (`cite` answers "From [1]: <the first source's text>").
let upstream: FakeServer;
let search: FakeServer;
let site: Server;
let siteHost: string;
let server: Awaited<ReturnType<typeof startServer>>;
let bare: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  site = createServer((req, res) => {
    if (req.url === "/komodo")
      return void res
        .writeHead(200, { "content-type": "text/html" })
        .end("<html><head><title>Komodo</title></head><body><nav>Menu</nav><p>Komodo dragons hunt deer and pigs.</p></body></html>");
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  siteHost = `127.0.0.1:${(site.address() as { port: number }).port}`;
  search = await startFakeWebSearch({
    key: "brave-key",
    results: [
      { title: "Komodo dragon facts", url: `http://${siteHost}/komodo`, snippet: "Facts about the Komodo dragon." },
      { title: "Gone", url: `http://${siteHost}/gone`, snippet: "A page that is not there any more." },
    ],
  });
  upstream = await startFakeOpenAI({ models: ["cite"] });
  const routes = "routes:\n  - { model: cite, targets: [{ provider: openai, model: cite }] }\n";
  const env = { OPENAI_API_KEY: "sk", OPENAI_BASE_URL: `${upstream.url}/v1`, BRAVE_KEY: "brave-key" };
  server = await startServer({
    env,
    yaml: `${routes}assistant:\n  webSearch: { provider: brave, baseURL: "${search.url}", apiKey: "\${BRAVE_KEY}" }\n  fetchAllow: ["${siteHost}"]\n`,
  });
  bare = await startServer({ env, yaml: routes });
});
after(async () => {
  await server?.close();
  await bare?.close();
  await upstream?.close();
  await search?.close();
  site.close();
});

async function ask(s: typeof server, content: string) {
  const conv = (await (
    await fetch(`${s.url}/v1/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "cite" }),
    })
  ).json()) as { id: string };
  const res = await fetch(`${s.url}/v1/conversations/${conv.id}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content, skill: "web" }),
  });
  return { conv: conv.id, res };
}

describe("the web skill", () => {
  it("searches, reads the pages through the SSRF guard, and answers citing their links", async () => {
    const { conv, res } = await ask(server, "What do Komodo dragons eat?");
    assert.equal(res.status, 200);
    await res.text();
    const view = (await (await fetch(`${server.url}/v1/conversations/${conv}`)).json()) as {
      messages: Array<{ content: string; meta: { citations?: Array<{ n: number; title: string; source: string; excerpt: string }> } }>;
    };
    const answer = view.messages.at(-1)!;
    assert.equal(answer.content, "From [1]: Komodo dragons hunt deer and pigs.", "the page's text, without its navigation");
    assert.deepEqual(
      answer.meta.citations!.map((c) => [c.n, c.title, c.source]),
      [
        [1, "Komodo dragon facts", `http://${siteHost}/komodo`],
        [2, "Gone", `http://${siteHost}/gone`],
      ],
    );
    assert.match(answer.meta.citations![0]!.excerpt, /Komodo dragons hunt deer and pigs\./, "the page's text, not just the snippet");
    assert.equal(answer.meta.citations![1]!.excerpt, "A page that is not there any more.", "a page that cannot be read keeps its snippet");
  });

  it("says what to configure when no search provider is set, and shows it in /v1/settings", async () => {
    const { res } = await ask(bare, "anything");
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "skill_not_configured");
    assert.match(body.error.message, /set assistant\.webSearch in benih\.yaml/);
    const text = await (await fetch(`${bare.url}/v1/settings`)).text();
    assert.ok(!text.includes(process.cwd()), `no path of the server's disk goes to a visitor: ${text}`);
    const settings = settingsView.parse(JSON.parse(text));
    assert.equal(settings.skills.web!.configured, false);
    assert.equal(settings.skills.search!.configured, true);
    assert.deepEqual(
      settings.providers.find((p) => p.name === "openai"),
      { name: "openai", configured: true, region: "global" },
    );
    assert.deepEqual(
      settings.providers.find((p) => p.name === "deepseek"),
      {
        name: "deepseek",
        configured: false,
        env: "DEEPSEEK_API_KEY",
        set: "DEEPSEEK_API_KEY in the server's environment",
      },
    );
    const configured = (await (await fetch(`${server.url}/v1/settings`)).json()) as {
      skills: Record<string, { configured: boolean; provider?: string }>;
    };
    assert.deepEqual(configured.skills.web, { configured: true, provider: "brave" });
  });
});
