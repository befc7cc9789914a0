import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { docxOf } from "./documents.ts";
import { startServer } from "./harness.ts";

// Agents and the instruction skills (translate, write): `system` answers "<system message> | <last user message>",
// so each test reads exactly what the model was told.
let upstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;

before(async () => {
  upstream = await startFakeOpenAI({ models: ["system", "upper"] });
  server = await startServer({
    env: { OPENAI_API_KEY: "sk", OPENAI_BASE_URL: `${upstream.url}/v1` },
    yaml: "auth: { required: true }\nroutes:\n  - { model: system, targets: [{ provider: openai, model: system }] }\n  - { model: upper, targets: [{ provider: openai, model: upper }] }\n",
  });
  alice = (await server.store.apiKeys.create("alice")).key;
  bob = (await server.store.apiKeys.create("bob")).key;
});
after(async () => {
  await server?.close();
  await upstream?.close();
});

const api = async (key: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: (res.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : undefined) as any,
  };
};
/** Asks and returns the saved answer's text. */
async function answer(key: string, conv: string, body: object, path = `/v1/conversations/${conv}/messages`): Promise<string> {
  const r = await api(key, "POST", path, body);
  assert.equal(r.status, 200, r.text);
  return (await api(key, "GET", `/v1/conversations/${conv}`)).json.messages.at(-1).content;
}

describe("agents", () => {
  it("are built in or made by the user, each user's own; their instructions reach the model", async () => {
    const builtIns = (await api(alice, "GET", "/v1/agents")).json.data as Array<{ id: string; builtIn: boolean }>;
    assert.deepEqual(
      builtIns.map((a) => a.id),
      ["benih", "translator", "writer", "researcher"],
    );
    const made = await api(alice, "POST", "/v1/agents", { name: "Pirate", instructions: "Talk like a pirate.", starters: ["Ahoy"] });
    assert.equal(made.status, 201);
    assert.deepEqual([made.json.builtIn, made.json.skills, made.json.starters], [false, [], ["Ahoy"]]);
    assert.equal((await api(bob, "GET", "/v1/agents")).json.data.length, 4, "bob does not see alice's agent");
    assert.equal((await api(bob, "PATCH", `/v1/agents/${made.json.id}`, { name: "Mine" })).status, 404);
    assert.equal(
      (await api(alice, "PATCH", `/v1/agents/${made.json.id}`, { instructions: "Talk like a pirate, matey." })).json.instructions,
      "Talk like a pirate, matey.",
    );
    const builtIn = await api(alice, "DELETE", "/v1/agents/translator");
    assert.deepEqual([builtIn.status, builtIn.json.error.code], [403, "built_in_agent"]);
    assert.equal((await api(alice, "POST", "/v1/agents", { name: "", instructions: "x" })).status, 400);

    const conv = (await api(alice, "POST", "/v1/conversations", { model: "system", agent: made.json.id })).json.id as string;
    assert.equal(await answer(alice, conv, { content: "hello" }), "Talk like a pirate, matey. | hello");
    assert.equal((await api(alice, "POST", "/v1/conversations", { model: "system", agent: "agent-nope" })).status, 400);
    assert.equal((await api(alice, "DELETE", `/v1/agents/${made.json.id}`)).status, 204);
  });
});

describe("the translate and write skills", () => {
  it("tell the model what to do, with the target language and glossary; regenerating keeps the skill", async () => {
    const conv = (await api(alice, "POST", "/v1/conversations", { model: "system" })).json.id as string;
    const translated = await answer(alice, conv, {
      content: "Benih adalah benih.",
      skill: "translate",
      options: { target: "English", glossary: { benih: "benih (the project)" } },
    });
    assert.match(translated, /^You are a translator\. Detect the language of the user's text and translate it into English\.\n/);
    assert.match(translated, /Keep Markdown formatting, code blocks/);
    assert.match(translated, /- benih → benih \(the project\)/);
    assert.match(translated, /\| Benih adalah benih\.$/);
    const view = (await api(alice, "GET", `/v1/conversations/${conv}`)).json;
    const again = await answer(alice, conv, {}, `/v1/conversations/${conv}/messages/${view.messages.at(-1).id}/regenerate`);
    assert.equal(again, translated);

    const email = await answer(alice, conv, { content: "meeting moved to friday", skill: "write", options: { template: "email" } });
    assert.match(email, /^Write an email from the user's notes/);
    const refused = await api(alice, "POST", `/v1/conversations/${conv}/messages`, { content: "x", skill: "translate" });
    assert.deepEqual(
      [refused.status, refused.json.error.message],
      [400, "options.target: translate needs options.target: the language to translate into"],
    );
    assert.equal(
      (await api(alice, "POST", `/v1/conversations/${conv}/messages`, { content: "x", skill: "write", options: { template: "poem" } }))
        .status,
      400,
    );
  });
});

describe("document translation", () => {
  const translate = async (name: string, body: Uint8Array | string, query: string) => {
    const res = await fetch(`${server.url}/v1/translate/documents?name=${encodeURIComponent(name)}&${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/octet-stream" },
      body: typeof body === "string" ? body : Buffer.from(body),
    });
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => [m[1], JSON.parse(m[2]!)] as const);
    return { status: res.status, text, events };
  };

  it("translates a whole document in pieces, with progress, never cutting a code block", async () => {
    const para = (w: string) => `${w} `.repeat(120).trim();
    const md = `# Notes\n\n${para("satu")}\n\n\`\`\`js\nconst x = 1;\n\nconst y = 2;\n\`\`\`\n\n${para("dua")}\n\n${para("tiga")}`;
    const r = await translate("notes.md", md, "target=English&model=upper");
    assert.equal(r.status, 200, r.text);
    const progress = r.events.filter(([e]) => e === "progress").map(([, d]) => `${d.done}/${d.total}`);
    assert.ok(progress.length >= 2 && progress.at(-1) === `${progress.length}/${progress.length}`, progress.join(" "));
    const done = r.events.find(([e]) => e === "done")![1];
    assert.equal(done.name, "Notes.english.md");
    assert.equal(done.markdown, md.toUpperCase(), "every piece translated, in order, the code block whole");
    assert.match(upstream.seen.filter((x) => x.body?.model === "upper").at(-1)!.body.messages[0].content, /translate it into English/);
  });

  it("reads DOCX, and says what is wrong", async () => {
    const r = await translate("letter.docx", await docxOf(["Selamat pagi.", "Sampai jumpa."]), "target=English&model=upper");
    assert.equal(r.events.find(([e]) => e === "done")![1].markdown, "SELAMAT PAGI.\n\nSAMPAI JUMPA.");
    assert.equal((await translate("letter.docx", "not a zip", "target=English&model=upper")).status, 422);
    assert.equal((await translate("letter.md", "hi", "model=upper")).status, 400);
    assert.equal((await translate("letter.md", "hi", "target=English&glossary=%7Bnope")).status, 400);
  });
});
