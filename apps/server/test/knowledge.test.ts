import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { docxOf, pdfOf } from "./documents.ts";
import { startServer } from "./harness.ts";

// The knowledge base through the whole server: uploads of each kind, search, and the search skill answering with
// citations through a loopback OpenAI server (`cite` answers "From [1]: <the first source's passage>").
let upstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;

before(async () => {
  upstream = await startFakeOpenAI({ models: ["cite", "tool-caller"] });
  server = await startServer({
    env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
    yaml: `
auth: { required: true }
assistant: { uploadMaxMb: 0.05 }
routes:
  - { model: cite, targets: [{ provider: openai, model: cite }] }
  - { model: tool-caller, targets: [{ provider: openai, model: tool-caller }] }
`,
  });
  alice = (await server.store.apiKeys.create("alice")).key;
  bob = (await server.store.apiKeys.create("bob")).key;
});
after(async () => {
  await server?.close();
  await upstream?.close();
});

const upload = async (key: string, name: string, bytes: Uint8Array | string) => {
  const res = await fetch(`${server.url}/v1/knowledge/documents?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/octet-stream" },
    body: typeof bytes === "string" ? bytes : Buffer.from(bytes),
  });
  return { status: res.status, json: (await res.json()) as any };
};
const get = async (key: string, path: string) => {
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
};

describe("the knowledge base", () => {
  it("reads PDF (by page), DOCX, Markdown, HTML and text uploads, and finds their passages, Chinese included", async () => {
    const pdf = await upload(
      alice,
      "komodo.pdf",
      await pdfOf(["The Komodo dragon lives on five islands of Indonesia.", "Its bite is venomous; the saliva holds toxins."]),
    );
    assert.equal(pdf.status, 201, JSON.stringify(pdf.json));
    assert.deepEqual([pdf.json.title, pdf.json.pages, pdf.json.chunks, pdf.json.mime], ["komodo", 2, 2, "application/pdf"]);
    assert.equal(
      (
        await upload(
          alice,
          "notes.docx",
          await docxOf(["Borobudur is a Buddhist temple in Central Java.", "It was built in the ninth century."]),
        )
      ).status,
      201,
    );
    const md = await upload(alice, "rice.md", "# Rice terraces\n\nThe Jatiluwih rice terraces are on Bali.");
    assert.deepEqual([md.status, md.json.title], [201, "Rice terraces"]);
    const html = await upload(
      alice,
      "page.html",
      "<html><head><title>Batik &amp; cloth</title><script>alert(1)</script></head><body><p>Batik is a wax-resist dyeing technique.</p></body></html>",
    );
    assert.deepEqual([html.status, html.json.title], [201, "Batik & cloth"]);
    assert.equal((await upload(alice, "首都.txt", "印度尼西亚的首都是雅加达。\n\n马来西亚的首都是吉隆坡。")).status, 201);

    const search = async (q: string) =>
      (await get(alice, `/v1/knowledge/search?q=${encodeURIComponent(q)}`)).json.data as Array<{
        source: string;
        page: number | null;
        text: string;
      }>;
    assert.deepEqual(
      (await search("venomous bite")).map((h) => [h.source, h.page]),
      [["komodo.pdf", 2]],
    );
    assert.equal((await search("Borobudur temple"))[0]!.source, "notes.docx");
    assert.equal((await search("wax dyeing"))[0]!.source, "page.html");
    assert.doesNotMatch((await search("wax dyeing"))[0]!.text, /alert/, "scripts are not text");
    assert.equal((await search("印度尼西亚的首都"))[0]!.source, "首都.txt");
    assert.equal((await search("Jatiluwih"))[0]!.source, "rice.md");
    // The starter corpus (benih's README) is there for everyone, offline.
    assert.equal((await get(bob, "/v1/knowledge/search?q=benih%20gateway")).json.data[0].source, "README.md");
    assert.deepEqual((await get(bob, "/v1/knowledge/search?q=komodo")).json.data, [], "alice's documents are hers");
  });

  it("answers with the search skill from the user's documents, citing file and page", async () => {
    await upload(alice, "orangutan.pdf", await pdfOf(["Cover page", "Orangutans live in the rainforests of Borneo and Sumatra."]));
    const conv = (await (
      await fetch(`${server.url}/v1/conversations`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "cite" }),
      })
    ).json()) as { id: string };
    const res = await fetch(`${server.url}/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ content: "Where do orangutans live?", skill: "search" }),
    });
    const events = await res.text();
    assert.match(events, /event: done\ndata: \{[^\n]*"status":"done"/);
    const view = (await get(alice, `/v1/conversations/${conv.id}`)).json;
    const answer = view.messages.at(-1);
    assert.equal(answer.content, "From [1]: Orangutans live in the rainforests of Borneo and Sumatra.");
    assert.deepEqual(answer.meta.citations[0], {
      n: 1,
      documentId: answer.meta.citations[0].documentId,
      title: "orangutan",
      source: "orangutan.pdf",
      page: 2,
      excerpt: "Orangutans live in the rainforests of Borneo and Sumatra.",
    });
    assert.equal(view.messages.at(-2).meta.skill, "search");
  });

  it("refuses what it cannot take, saying why", async () => {
    const big = await upload(alice, "big.txt", "x".repeat(60_000));
    assert.deepEqual([big.status, big.json.error.code], [413, big.json.error.code]);
    assert.match(big.json.error.message, /too large|exceeds|limit/i);
    const broken = await upload(alice, "broken.pdf", (await pdfOf(["fine"])).slice(0, 300));
    assert.deepEqual([broken.status, broken.json.error.code], [422, "unreadable_file"]);
    assert.match(broken.json.error.message, /^broken\.pdf is a damaged PDF/);
    assert.match((await upload(alice, "fake.pdf", "hello")).json.error.message, /fake\.pdf is not a PDF: it does not start with %PDF-/);
    assert.match((await upload(alice, "fake.docx", "hello")).json.error.message, /not a DOCX file/);
    assert.match((await upload(alice, "tool.exe", "MZ")).json.error.message, /benih reads \.pdf, \.docx/);
    assert.match((await upload(alice, "latin1.txt", new Uint8Array([0x63, 0x61, 0x66, 0xe9]))).json.error.message, /is not UTF-8 text/);
    assert.equal((await upload(alice, "", "x")).status, 400);
    assert.equal((await upload(alice, "empty.txt", "")).status, 400);
    const mine = (await get(alice, "/v1/knowledge/documents")).json.data.find((d: { source: string }) => d.source === "komodo.pdf");
    const refused = await fetch(`${server.url}/v1/knowledge/documents/${mine.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${bob}` },
    });
    assert.equal(refused.status, 404);
    assert.equal(
      (await fetch(`${server.url}/v1/knowledge/documents/${mine.id}`, { method: "DELETE", headers: { authorization: `Bearer ${alice}` } }))
        .status,
      204,
    );
  });

  it("lets a model that calls tools search the documents itself, for an agent that uses tools, and keeps what it cited", async () => {
    await upload(alice, "gecko.txt", "Geckos can climb glass.");
    const post = async (path: string, body: unknown) =>
      (
        await fetch(server.url + path, {
          method: "POST",
          headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        })
      ).json() as Promise<any>;
    const agent = await post("/v1/agents", { name: "Docs", skills: ["search"], toolUse: true });
    assert.equal(agent.toolUse, true);
    const conv = await post("/v1/conversations", { model: "tool-caller", agent: agent.id });
    const from = upstream.seen.length;
    const res = await fetch(`${server.url}/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ content: "Geckos climb" }),
    });
    await res.text();
    const calls = upstream.seen.slice(from).filter((r) => r.path.endsWith("/chat/completions"));
    assert.equal(calls.length, 2, "asked, called the tool, answered");
    assert.deepEqual(
      calls[0]!.body.tools.map((t: { function: { name: string } }) => t.function.name),
      ["search_documents"],
    );
    assert.deepEqual(calls[1]!.body.messages.at(-2).tool_calls[0].function, {
      name: "search_documents",
      arguments: '{"query":"Geckos climb"}',
    });
    const view = (await get(alice, `/v1/conversations/${conv.id}`)).json;
    const answer = view.messages.at(-1);
    assert.equal(answer.content, "Found: [1] gecko:");
    assert.deepEqual(
      answer.meta.citations.map((c: { n: number; source: string }) => [c.n, c.source]),
      [[1, "gecko.txt"]],
    );
  });

  it('answers about the documents attached to a message, and only those; "summarise this" gets their opening', async () => {
    const menu = (await upload(alice, "menu.txt", "Nasi goreng costs 25,000 rupiah.\n\nSate costs 30,000 rupiah.")).json;
    await upload(alice, "prices.txt", "Everything here costs a lot.");
    const conv = (await (
      await fetch(`${server.url}/v1/conversations`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "cite" }),
      })
    ).json()) as { id: string };
    const ask = async (key: string, content: string, attachments: string[]) => {
      const res = await fetch(`${server.url}/v1/conversations/${conv.id}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ content, attachments }),
      });
      return { status: res.status, text: await res.text() };
    };
    assert.equal((await ask(alice, "What does nasi goreng cost?", [menu.id])).status, 200);
    let view = (await get(alice, `/v1/conversations/${conv.id}`)).json;
    assert.equal(view.messages.at(-1).content, "From [1]: Nasi goreng costs 25,000 rupiah.");
    assert.deepEqual(
      [...new Set(view.messages.at(-1).meta.citations.map((c: { source: string }) => c.source))],
      ["menu.txt"],
      "only the attachment",
    );
    assert.deepEqual(view.messages.at(-2).meta.attachments, [{ id: menu.id, title: "menu", source: "menu.txt" }]);
    await ask(alice, "Summarise this", [menu.id]);
    view = (await get(alice, `/v1/conversations/${conv.id}`)).json;
    assert.match(view.messages.at(-1).content, /^From \[1\]: Nasi goreng costs/);
    const foreign = await ask(alice, "x", ["doc-not-mine"]);
    assert.equal(foreign.status, 400);
    assert.match(foreign.text, /is not one of your documents/);
  });
});
