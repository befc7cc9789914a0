import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { startFakeWebSearch, type FakeServer } from "@benih/fake-upstreams";
import { pdfOf } from "./documents.ts";
import { startServer } from "./harness.ts";
import { marketApi, type Answer, type MarketApi } from "./market-api.ts";

// The assistant as people meet it on a default `npm start`: the shipped benih.yaml, both markets, the committed
// benih-tiny models (a context of 512 tokens; LoRA adapters on one base). Every skill and every built-in agent ends in a done answer (the
// model's text, the sources quoted and cited, or a notice that a larger model is needed), never a failed one.
const root = fileURLToPath(new URL("../../../", import.meta.url));
const shipped = readFileSync(`${root}benih.yaml`, "utf8");
let search: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;
let admin: string;
let api: MarketApi["api"];
let ask: MarketApi["ask"];
let start: MarketApi["start"];

before(async () => {
  search = await startFakeWebSearch({
    key: "brave-key",
    // Pages that cannot be fetched (not allowed): the answer works from the snippets.
    results: [
      { title: "Komodo dragon", url: "http://komodo.invalid/", snippet: "The Komodo dragon lives on five islands of Indonesia." },
      { title: "Komodo National Park", url: "http://park.invalid/", snippet: "The park was founded in 1980 to protect the dragon." },
    ],
  });
  server = await startServer({
    env: { BENIH_MODELS_DIR: `${root}models`, BENIH_ADMIN_KEY: "bk-admin-tiny-models-test", BRAVE_KEY: "brave-key" },
    yaml: `${shipped}\nauth: { required: true }\nassistant:\n  webSearch: { provider: brave, baseURL: "${search.url}", apiKey: "\${BRAVE_KEY}" }\n`,
  });
  alice = (await server.store.apiKeys.create("alice")).key;
  bob = (await server.store.apiKeys.create("bob")).key;
  admin = "bk-admin-tiny-models-test";
  ({ api, ask, start } = marketApi(server.url));
});
after(async () => {
  await server?.close();
  await search?.close();
});

/** A done answer of one of the three kinds: the model's own text, the sources quoted with citations, or a notice. */
function assertUseful(a: Answer, what: string) {
  assert.equal(a.done.status, "done", `${what}: ${JSON.stringify(a.done)}`);
  assert.ok(a.text.trim(), `${what}: the answer says something`);
  const notice = a.done.meta?.notice;
  if (notice?.code === "extracted") {
    assert.ok(a.done.meta.citations.length > 0, `${what}: an extracted answer cites its passages`);
    for (const c of a.done.meta.citations)
      assert.match(a.text, new RegExp(`^> .*\\[${c.n}\\]$`, "m"), `${what}: [${c.n}] follows its quote`);
  } else if (notice?.code === "needs_larger_model") {
    // Too long for the context (it says how much it needs), or a skill the model does not follow (its card says).
    if (notice.reason === "instructions") assert.match(a.text, /does not follow instructions/, what);
    else assert.ok(notice.needed > notice.contextLength, `${what}: it says how much context it needs`);
  } else assert.equal(notice, undefined, what);
}

describe("the assistant on the committed tiny models", () => {
  it("lists each model's context, languages and example questions, and the model answers every example", async () => {
    const cards = { cn: "benih-tiny-cn", global: "benih-tiny-global" } as const;
    for (const market of ["cn", "global"] as const) {
      const models = (await api(market, alice, "GET", "/v1/models")).json.data;
      const model = models.find((m: { id: string }) => m.id === cards[market]);
      assert.equal(model.context_length, 512);
      assert.deepEqual(model.languages, market === "cn" ? ["zh"] : ["en", "id"]);
      // The card's own answers, checked against what the model says (at temperature 0, as evaluations do).
      const card = readFileSync(`${root}models/${cards[market]}.md`, "utf8");
      const examples = [...card.matchAll(/\{ language: (\w+), text: (.+?), answer: (.+?) \}/g)].map((m) => ({
        lang: m[1]!,
        text: m[2]!,
        answer: m[3]!.replace(/^"(.*)"$/, "$1"),
      }));
      assert.ok(examples.length >= 3 * model.languages.length);
      for (const lang of model.languages) {
        assert.deepEqual(
          model.examples[lang],
          examples.filter((e) => e.lang === lang).map((e) => e.text),
        );
      }
      // Asked as the empty chat's suggestions are: to the default assistant, which offers the calculator.
      for (const e of examples) {
        const a = await ask(market, alice, await start(market, alice, "benih"), { content: e.text });
        assert.ok(a.text.includes(e.answer), `${e.text} → ${a.text}`);
      }
    }
  });

  it("lists on the setup page only the providers each market's allow-list names", async () => {
    const names = async (market: "cn" | "global") =>
      (await api(market, admin, "GET", "/v1/settings")).json.providers.map((p: { name: string }) => p.name).sort();
    assert.deepEqual(await names("global"), ["anthropic", "local", "openai"]);
    assert.deepEqual(await names("cn"), ["ark", "deepseek", "local", "qwen"]);
  });

  it("answers every skill chip and attachment on both markets: from the model, quoted and cited, or with a notice", async () => {
    const pdf = Buffer.from(
      await pdfOf([
        "Komodo dragons live on five islands of Indonesia. They are the largest lizards alive.",
        "Rinca and Komodo islands hold most of them; the park protects their habitat.",
      ]),
    );
    for (const market of ["cn", "global"] as const) {
      const up = await api(market, alice, "POST", "/v1/knowledge/documents?name=komodo.pdf", pdf);
      assert.equal(up.status, 201, up.text);
      const doc = up.json.id as string;
      const question = market === "cn" ? "日本的首都是哪里？" : "What is the capital of Japan?";
      const cases: Array<[string, object]> = [
        ["search", { content: "What is benih?", skill: "search" }],
        ["web", { content: "Where do Komodo dragons live?", skill: "web" }],
        ["translate", { content: question, skill: "translate", options: { target: "English" } }],
        ["write", { content: question, skill: "write", options: { template: "summarise" } }],
        ["summarise an attachment", { content: "Summarise this", attachments: [doc] }],
        ["a question on an attachment", { content: "Which islands do Komodo dragons live on?", attachments: [doc] }],
      ];
      for (const [what, body] of cases) {
        const conversation = await start(market, alice);
        const a = await ask(market, alice, conversation, body);
        assertUseful(a, `${market} ${what}`);
        // Kept as streamed: the conversation shows the same answer.
        const kept = (await api(market, alice, "GET", `/v1/conversations/${conversation}`)).json.messages.at(-1);
        assert.deepEqual([kept.content, kept.status, kept.meta], [a.text, "done", a.done.meta]);
      }
      // The tiny models do not answer from passages (their cards say): they are quoted, the attachment's opening
      // when the question names nothing in it, cited to its page.
      const summary = await ask(market, alice, await start(market, alice), { content: "Summarise this", attachments: [doc] });
      assert.equal(summary.done.meta.notice.code, "extracted");
      assert.match(summary.text, /^> Komodo dragons live on five islands of Indonesia\..*\[1\]$/m);
      assert.deepEqual(
        summary.done.meta.citations.map((c: { documentId: string; page: number }) => [c.documentId, c.page]),
        [
          [doc, 1],
          [doc, 2],
        ],
      );
      const translated = await ask(market, alice, await start(market, alice), {
        content: question,
        skill: "translate",
        options: { target: "English" },
      });
      assert.equal(translated.done.meta.notice.code, "needs_larger_model");
      assert.equal(translated.done.meta.notice.skill, "translate");
      assert.equal(translated.done.meta.notice.reason, "instructions");
      assert.match(translated.text, /does not follow instructions/);
      // A plain question still goes to the model, which answers it.
      const plain = await ask(market, alice, await start(market, alice), { content: question });
      assert.equal(plain.done.status, "done");
      assert.match(plain.text, market === "cn" ? /东京/ : /Tokyo/);
      assert.equal(plain.done.meta?.notice, undefined);
    }
  });

  it("answers each built-in agent's starters in the market's language", async () => {
    for (const market of ["cn", "global"] as const) {
      const agents = (await api(market, alice, "GET", "/v1/agents")).json.data as Array<{
        id: string;
        builtIn: boolean;
        skills: string[];
        starters: string[];
      }>;
      const indonesian = (await api(market, alice, "GET", "/v1/agents?lang=id")).json.data;
      assert.deepEqual(indonesian.find((a: { id: string }) => a.id === "researcher").starters, [
        "Apa itu markets di benih?",
        "Bagaimana cara melatih model dengan benih train?",
      ]);
      for (const agent of agents.filter((a) => a.builtIn)) {
        if (market === "cn" && agent.starters.length)
          assert.match(agent.starters[0]!, /[\u4e00-\u9fff]/, "the cn market's default locale is zh");
        const starters = agent.starters.length
          ? agent.starters
          : [market === "cn" ? "日本的首都是哪里？" : "What is the capital of Japan?"];
        // As the web app sends them: with the agent's first skill chosen.
        const chip = {
          search: { skill: "search" },
          translate: { skill: "translate", options: { target: "English" } },
          write: { skill: "write", options: { template: "rewrite" } },
        }[agent.skills[0] as "search"];
        for (const starter of starters) {
          assertUseful(
            await ask(market, alice, await start(market, alice, agent.id), { content: starter }),
            `${market} ${agent.id}: ${starter}`,
          );
          if (chip)
            assertUseful(
              await ask(market, alice, await start(market, alice, agent.id), { content: starter, ...chip }),
              `${market} ${agent.id} ${chip.skill}: ${starter}`,
            );
        }
      }
    }
  });

  it("keeps a reader's rating of an answer, lists ratings to admins of the market, and refuses others' messages", async () => {
    const conversation = await start("global", alice);
    const a = await ask("global", alice, conversation, { content: "What is the capital of Japan?" });
    const path = `/v1/conversations/${conversation}/messages/${a.done.id}/feedback`;
    const rated = await api("global", alice, "PUT", path, { rating: "down", comment: "  Too short  " });
    assert.equal(rated.status, 200, rated.text);
    assert.deepEqual([rated.json.id, rated.json.feedback], [a.done.id, "down"]);
    const view = (await api("global", alice, "GET", `/v1/conversations/${conversation}`)).json;
    assert.deepEqual(
      view.messages.map((m: { role: string; feedback: string | null }) => [m.role, m.feedback]),
      [
        ["user", null],
        ["assistant", "down"],
      ],
    );
    const listed = await api("global", admin, "GET", "/v1/feedback?rating=down");
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(
      listed.json.data.map((f: any) => [f.message_id, f.rating, f.comment, f.question, f.answer]),
      [[a.done.id, "down", "Too short", "What is the capital of Japan?", a.text]],
    );
    assert.deepEqual((await api("global", admin, "GET", "/v1/feedback?rating=up")).json.data, []);
    assert.deepEqual((await api("cn", admin, "GET", "/v1/feedback")).json.data, [], "another market's ratings are its own");
    assert.equal((await api("global", alice, "GET", "/v1/feedback")).status, 403, "only admins read ratings");
    assert.equal((await api("global", admin, "GET", "/v1/feedback?rating=meh")).status, 400);
    for (const limit of ["2.5", "-1", "many"])
      assert.equal((await api("global", admin, "GET", `/v1/feedback?limit=${limit}`)).json.error?.code, "invalid_query", `limit=${limit}`);
    assert.equal((await api("global", admin, "GET", "/v1/feedback?limit=1")).json.data.length, 1);

    assert.equal((await api("global", bob, "PUT", path, { rating: "up" })).status, 404, "not bob's conversation");
    const question = view.thread[0];
    assert.equal(
      (await api("global", alice, "PUT", path.replace(a.done.id, question), { rating: "up" })).status,
      404,
      "a question is not rated",
    );
    assert.equal((await api("global", alice, "PUT", path, { rating: "sideways" })).status, 400);
    assert.equal((await api("global", alice, "PUT", path, { rating: "up", extra: 1 })).status, 400);
    const cleared = await api("global", alice, "PUT", path, { rating: null });
    assert.equal(cleared.json.feedback, null);
    assert.deepEqual((await api("global", admin, "GET", "/v1/feedback")).json.data, []);
  });

  it("shows a document's passages to those who may read it, and exports a conversation headed in the reader's language", async () => {
    const up = await api("cn", alice, "POST", "/v1/knowledge/documents?name=notes.md", "# Notes\n\nJakarta is the capital of Indonesia.\n");
    assert.equal(up.status, 201, up.text);
    const refused = await api("cn", alice, "POST", "/v1/knowledge/documents?name=tool.exe", "MZ");
    assert.deepEqual([refused.status, refused.json.error.code], [422, "unsupported_file_type"]);
    assert.match(refused.json.error.message, /benih reads \.pdf, \.docx/);
    const passages = await api("cn", alice, "GET", `/v1/knowledge/documents/${up.json.id}/passages`);
    assert.equal(passages.status, 200, passages.text);
    assert.equal(passages.json.document.id, up.json.id);
    assert.match(passages.json.passages.map((p: { text: string }) => p.text).join("\n"), /Jakarta is the capital of Indonesia/);
    assert.equal((await api("cn", bob, "GET", `/v1/knowledge/documents/${up.json.id}/passages`)).status, 404);
    const shared = (await api("cn", bob, "GET", "/v1/knowledge/documents")).json.data.find((d: { owner: string }) => d.owner === "*");
    assert.equal(
      (await api("cn", bob, "GET", `/v1/knowledge/documents/${shared.id}/passages`)).status,
      200,
      "the starter docs are everyone's",
    );

    const conversation = await start("cn", alice);
    await ask("cn", alice, conversation, { content: "日本的首都是哪里？" });
    const zh = await api("cn", alice, "GET", `/v1/conversations/${conversation}/export?lang=zh`);
    assert.match(zh.text, /^## 你$/m);
    assert.match(zh.text, /^## 助手 \(benih-tiny-cn\)$/m);
    const id = await api("cn", alice, "GET", `/v1/conversations/${conversation}/export?lang=id`);
    assert.match(id.text, /^## Anda$/m);
    assert.equal((await api("cn", alice, "GET", `/v1/conversations/${conversation}/export?lang=xx`)).status, 400);
  });
});
