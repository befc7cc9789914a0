import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { request } from "undici";
import { startServer } from "./harness.ts";

// Memory across conversations, as people meet it in the app: told to remember in one conversation, used in the
// next (the upstream's `system` model answers "<system message> | <last user message>", and records what it was
// sent), forgotten, turned off; each person's own, in their market's store; managed and exported in the settings.

const market = (id: string, hosts: string, blocked = "[]", moderation = "") => `
  - id: ${id}
    region: ${id}
    displayName: { en: ${id} }
    brand: { name: { en: ${id} }, colors: { primary: "#1f6feb" } }
    defaultLocale: en
    locales: [en]
    hosts: [${hosts}]
    allow: [openai/*]
    auth: { signup: open }
    policy: { blocked: ${blocked}, refusal: { en: "No." }${moderation && `, moderation: ${moderation}`} }`;

let upstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  upstream = await startFakeOpenAI({ models: ["system"] });
  server = await startServer({
    yaml: `
auth: { signup: open }
providers:
  - { name: openai, type: openai, baseURL: "${upstream.url}/v1", apiKey: k, listModels: false }
routes:
  - { model: system, targets: [{ provider: openai, model: system }] }
training: { localAgent: false }
markets:${market("global", "localhost", "[{ term: casinoroyale, category: gambling }]")}${market("cn", "cn.localhost", "[]", "openai/omni-moderation-latest")}
`,
  });
});
after(async () => {
  await server?.close();
  await upstream?.close();
});

interface Answer {
  status: number;
  json: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A signed-in browser of one market's site: its session cookie and CSRF token on every call. */
class Person {
  cookie = "";
  csrf = "";
  constructor(readonly host: string) {}

  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await request(`${server.url}${path}`, {
      method: method as "GET",
      headers: {
        host: this.host,
        origin: `http://${this.host}`,
        ...(this.cookie && { cookie: this.cookie }),
        ...(this.csrf && { "x-csrf-token": this.csrf }),
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    for (const c of [res.headers["set-cookie"] ?? []].flat()) {
      const [pair] = c.split(";");
      if (pair!.startsWith("benih_session=")) this.cookie = pair!;
    }
    const json = text && String(res.headers["content-type"]).includes("json") ? JSON.parse(text) : undefined;
    if (json?.csrfToken) this.csrf = json.csrfToken;
    return { status: res.statusCode, json, text, headers: res.headers };
  }

  static async signUp(host: string, email: string): Promise<Person> {
    const p = new Person(host);
    const made = await p.call("POST", "/v1/auth/signup", { email, password: "correct horse battery" });
    assert.equal(made.status, 201, made.text);
    return p;
  }

  async newConversation(): Promise<string> {
    const c = await this.call("POST", "/v1/conversations", { model: "system" });
    assert.equal(c.status, 201, c.text);
    return c.json.id;
  }

  /** Asks in a conversation (a new one when none is named): the answer's text and meta as the stream ended them. */
  async ask(content: string, conversation?: string): Promise<{ content: string; meta: any; upstreamSystem: string | undefined }> {
    const conv = conversation ?? (await this.newConversation());
    const before = upstream.seen.length;
    const res = await this.call("POST", `/v1/conversations/${conv}/messages`, { content });
    assert.equal(res.status, 200, res.text);
    const done = /event: done\ndata: (.*)\n/.exec(res.text);
    assert.ok(done, res.text);
    const text = [...res.text.matchAll(/event: delta\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!).text).join("");
    const sent = upstream.seen.slice(before).find((s) => s.path.endsWith("/chat/completions"));
    const system = sent?.body.messages.find((m: { role: string }) => m.role === "system")?.content;
    return { content: text, meta: JSON.parse(done[1]!).meta, upstreamSystem: system };
  }
}

describe("memory across conversations", () => {
  it("remembers what a person asks it to, and uses it in their next conversation until they delete it", async () => {
    const ana = await Person.signUp("localhost", "ana@example.com");
    const told = await ana.ask("Remember that I prefer metric units. How tall is Everest?");
    assert.equal(told.meta.memory.remembered.content, "I prefer metric units", "saved before answering, said in the meta");
    assert.match(told.content, /Saved to the user's memory, as they asked: "I prefer metric units"/, "the model is told");

    const listed = await ana.call("GET", "/v1/memories");
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.json.data.map((m: any) => [m.content, typeof m.source_conversation, m.source_message !== null]),
      [["I prefer metric units", "string", true]],
    );
    assert.deepEqual([listed.json.enabled, listed.json.limit], [true, 200]);
    const id = listed.json.data[0].id as string;

    const next = await ana.ask("How far is Bandung from Jakarta?");
    assert.match(next.upstreamSystem ?? "", /## What the user asked you to remember[\s\S]*- I prefer metric units/);
    assert.deepEqual(next.meta.memory, { used: [{ id, content: "I prefer metric units" }] }, "the answer lists what it used");
    const stored = (await ana.call("GET", `/v1/conversations/${(await ana.call("GET", "/v1/conversations")).json.data[0].id}`)).json;
    assert.deepEqual(stored.messages.at(-1).meta.memory.used, [{ id, content: "I prefer metric units" }], "kept with the answer");

    // Chinese and Indonesian requests, and a question to rank them by.
    assert.equal((await ana.ask("记住我喜欢喝茶")).meta.memory.remembered.content, "我喜欢喝茶");
    assert.equal((await ana.ask("ingat bahwa saya tinggal di Bandung")).meta.memory.remembered.content, "saya tinggal di Bandung");
    const tea = await ana.ask("推荐一种茶给我，我喜欢喝什么？");
    assert.equal(tea.meta.memory.used[0].content, "我喜欢喝茶", "the memory that shares words with the question comes first");

    assert.equal((await ana.call("DELETE", `/v1/memories/${id}`)).status, 204);
    assert.equal((await ana.call("DELETE", `/v1/memories/${id}`)).status, 404, "gone already");
    const after = await ana.ask("And from Bogor?");
    assert.doesNotMatch(after.upstreamSystem ?? "", /metric/);
    assert.ok(!after.meta.memory.used.some((m: { id: string }) => m.id === id));
  });

  it("forgets the memory a person names, and leaves a different one alone", async () => {
    const budi = await Person.signUp("localhost", "budi@example.com");
    await budi.ask("remember: I like coffee");
    await budi.ask("Remember that my cat is called Milo.");
    const miss = await budi.ask("Forget that I like tea");
    assert.deepEqual(miss.meta.memory.notFound, true);
    assert.equal((await budi.call("GET", "/v1/memories")).json.data.length, 2, "nothing about tea, nothing deleted");
    const forgot = await budi.ask("forget that I like coffee");
    assert.equal(forgot.meta.memory.forgotten.content, "I like coffee");
    assert.deepEqual(
      (await budi.call("GET", "/v1/memories")).json.data.map((m: any) => m.content),
      ["my cat is called Milo"],
    );
    assert.doesNotMatch((await budi.ask("What should I drink?")).upstreamSystem ?? "", /coffee/);
  });

  it("sends nothing and saves nothing while memory is off, and says so", async () => {
    const cita = await Person.signUp("localhost", "cita@example.com");
    await cita.ask("remember that I am vegetarian");
    assert.deepEqual((await cita.call("PUT", "/v1/memories/settings", { enabled: false })).json, { enabled: false });
    assert.equal((await cita.call("GET", "/v1/memories")).json.enabled, false);
    const plain = await cita.ask("What should I cook tonight?");
    assert.equal(plain.upstreamSystem, undefined, "no system message at all");
    assert.equal(plain.meta.memory, undefined);
    const asked = await cita.ask("Remember that I am allergic to nuts");
    assert.equal(asked.meta.memory.off, true);
    assert.equal(asked.meta.memory.remembered, undefined);
    assert.doesNotMatch(asked.upstreamSystem ?? "", /vegetarian/);
    assert.deepEqual(
      (await cita.call("GET", "/v1/memories")).json.data.map((m: any) => m.content),
      ["I am vegetarian"],
      "nothing new",
    );
    await cita.call("PUT", "/v1/memories/settings", { enabled: true });
    assert.match((await cita.ask("What should I cook tonight?")).upstreamSystem ?? "", /- I am vegetarian/);
    assert.equal((await cita.call("PUT", "/v1/memories/settings", { enabled: "no" })).status, 400);
  });

  it("keeps each person's memories to themselves, and each market's in its own store", async () => {
    const dewi = await Person.signUp("localhost", "dewi@example.com");
    const eko = await Person.signUp("localhost", "eko@example.com");
    const mine = await dewi.call("POST", "/v1/memories", { content: "My passport number is X1234567" });
    assert.equal(mine.status, 201, mine.text);
    const id = mine.json.id as string;
    assert.deepEqual((await eko.call("GET", "/v1/memories")).json.data, []);
    assert.equal((await eko.call("PATCH", `/v1/memories/${id}`, { content: "mine now" })).status, 404);
    assert.equal((await eko.call("DELETE", `/v1/memories/${id}`)).status, 404);
    assert.equal((await eko.call("DELETE", "/v1/memories")).json.deleted, 0, "delete-all takes only the caller's");
    assert.doesNotMatch((await eko.ask("What is my passport number?")).upstreamSystem ?? "", /X1234567/);
    assert.equal((await eko.call("GET", "/v1/memories/export")).json.memories.length, 0);

    // The same email in another market is another person, in another store.
    const dewiCn = await Person.signUp("cn.localhost", "dewi@example.com");
    assert.deepEqual((await dewiCn.call("GET", "/v1/memories")).json.data, []);
    assert.doesNotMatch((await dewiCn.ask("What is my passport number?")).upstreamSystem ?? "", /X1234567/);
    const rows = async (id: string) =>
      (await server.markets!.stores.get(id)!.db.selectFrom("memories").select("content").execute()).map((r) => r.content);
    assert.ok((await rows("global")).includes("My passport number is X1234567"));
    assert.ok(!(await rows("cn")).includes("My passport number is X1234567"), "nothing of it in the other market's store");
    assert.equal((await dewi.call("GET", "/v1/memories")).json.data[0].content, "My passport number is X1234567");

    const anon = new Person("localhost");
    assert.equal((await anon.call("GET", "/v1/memories")).status, 401);
  });

  it("keeps nothing the market's moderation model flags, though the request to remember it came in chat", async () => {
    const budi = await Person.signUp("cn.localhost", "budi@example.com");
    const conv = await budi.newConversation();
    // The fake's moderation flags "flag-me": the question is refused, and the fact must not outlive it.
    await budi.call("POST", `/v1/conversations/${conv}/messages`, { content: "Remember that my motto is flag-me." });
    assert.deepEqual((await budi.call("GET", "/v1/memories")).json.data, [], "nothing kept");
    assert.equal((await budi.ask("Remember that I like rice.")).meta.memory.remembered.content, "I like rice", "a clean fact is");
  });

  it("refuses bad memories with clear errors, keeping nothing of them", async () => {
    const fajar = await Person.signUp("localhost", "fajar@example.com");
    const empty = await fajar.call("POST", "/v1/memories", { content: "   " });
    assert.deepEqual([empty.status, empty.json.error.param, empty.json.error.message], [400, "content", "content: say what to remember"]);
    const long = await fajar.call("POST", "/v1/memories", { content: "x".repeat(501) });
    assert.deepEqual([long.status, long.json.error.message], [400, "content: a memory is at most 500 characters"]);
    assert.equal((await fajar.call("POST", "/v1/memories", { content: "ok", extra: 1 })).status, 400);
    const blocked = await fajar.call("POST", "/v1/memories", { content: "I love CasinoRoyale" });
    assert.deepEqual([blocked.status, blocked.json.error.code], [400, "content_policy_violation"], "the market's policy applies");
    assert.deepEqual((await fajar.call("GET", "/v1/memories")).json.data, []);

    const exact = await fajar.call("POST", "/v1/memories", { content: "y".repeat(500) });
    assert.equal(exact.status, 201, "500 characters fit");
    const patched = await fajar.call("PATCH", `/v1/memories/${exact.json.id}`, { content: "" });
    assert.equal(patched.status, 400);
    const renamed = await fajar.call("PATCH", `/v1/memories/${exact.json.id}`, { content: "  I take the 7:10 train  " });
    assert.deepEqual([renamed.status, renamed.json.content], [200, "I take the 7:10 train"]);
    assert.ok(renamed.json.updated_at >= renamed.json.created_at);
    const store = server.markets!.stores.get("global")!.memories;
    const owner = (await fajar.call("GET", "/v1/me")).json.id as string;
    for (let i = 1; i < 200; i++) await store.add(owner, `fact ${i}`);
    const over = await fajar.call("POST", "/v1/memories", { content: "the 201st" });
    assert.deepEqual([over.status, over.json.error.code], [409, "memory_limit"]);
    assert.match(over.json.error.message, /200 memories.*Delete some/);
    const told = await fajar.ask("Remember that I have too many memories");
    assert.equal(told.meta.memory.full, true, "the answer says memory is full");
    assert.equal((await fajar.call("GET", "/v1/memories")).json.data.length, 200, "nothing past the limit");
    assert.ok(!(await store.list(owner)).some((m) => m.content === "the 201st" || m.content.includes("too many")));
  });

  it("exports every memory as a JSON download, and deletes them all", async () => {
    const gita = await Person.signUp("localhost", "gita@example.com");
    await gita.call("POST", "/v1/memories", { content: "I work night shifts" });
    await gita.ask("记住：我住在雅加达");
    const exported = await gita.call("GET", "/v1/memories/export");
    assert.equal(exported.status, 200);
    assert.match(String(exported.headers["content-disposition"]), /attachment; filename="memories.json"/);
    assert.deepEqual(
      exported.json.memories.map((m: any) => m.content),
      ["我住在雅加达", "I work night shifts"],
    );
    assert.equal(exported.json.enabled, true);
    const gone = await gita.call("DELETE", "/v1/memories");
    assert.deepEqual([gone.status, gone.json.deleted], [200, 2]);
    assert.deepEqual((await gita.call("GET", "/v1/memories")).json.data, []);
    assert.doesNotMatch((await gita.ask("Where do I live?")).upstreamSystem ?? "", /雅加达/);
  });
});
