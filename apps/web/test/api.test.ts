import { afterEach, describe, expect, it, vi } from "vitest";
import { conversations, streamAnswer } from "../src/api/conversations.ts";
import { translateFile } from "../src/api/documents.ts";
import { NeedsKey, setApiKey } from "../src/api/http.ts";
import { chunkedBody, cutAt, fakeFetch } from "./sse-body.ts";

const sse =
  (pieces: Uint8Array[], status = 200) =>
  () =>
    new Response(chunkedBody(pieces), { status, headers: { "content-type": "text/event-stream" } });

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("streamAnswer", () => {
  const events =
    'event: user\r\ndata: {"id":"q1","parent_id":null,"role":"user","content":"Halo","status":"done","model":null,"error":null,"siblings":["q1"]}\r\n\r\n' +
    ": a comment the server may send to keep the line open\n\n" +
    'event: answer\ndata: {"id":"a1","parent_id":"q1","model":"echo","meta":{}}\n\n' +
    'event: delta\ndata: {"text":"Selamat "}\n\n' +
    'event: delta\ndata: {"text":"pagi 🌅 — 早上好"}\n\n' +
    'event: done\ndata: {"id":"a1","status":"done"}\n\n';

  it("reads an answer cut at awkward places: inside a CRLF, a field name, a JSON string and a four-byte character", async () => {
    const bytes = new TextEncoder().encode(events);
    const emoji = bytes.indexOf(0xf0);
    const cuts = [
      events.indexOf("\r\n") + 1,
      events.indexOf("event: answer") + 3,
      events.indexOf("Selamat") + 4,
      emoji + 1,
      emoji + 3,
      bytes.length - 2,
    ];
    const { fetch, requests } = fakeFetch(sse(cutAt(events, cuts)));
    vi.stubGlobal("fetch", fetch);
    setApiKey("bk-test");

    const seen: string[] = [];
    let text = "";
    const end = await streamAnswer(
      "c1",
      { content: "Halo", model: "echo", skill: "translate", options: { target: "Japanese" } },
      {
        onUser: (m) => seen.push(`user ${m.content}`),
        onAnswer: (a) => seen.push(`answer ${a.id} to ${a.parent_id}`),
        onText: (t) => (text += t),
      },
      new AbortController().signal,
    );

    expect(seen).toEqual(["user Halo", "answer a1 to q1"]);
    expect(text).toBe("Selamat pagi 🌅 — 早上好");
    expect(end).toEqual({ id: "a1", status: "done" });
    expect(requests[0]!.url).toBe("/v1/conversations/c1/messages");
    expect(JSON.parse(requests[0]!.init.body as string)).toEqual({
      content: "Halo",
      model: "echo",
      skill: "translate",
      options: { target: "Japanese" },
    });
    expect((requests[0]!.init.headers as Record<string, string>).authorization).toBe("Bearer bk-test");
  });

  it("asks for another answer at the regenerate route, and says how a failed answer ended", async () => {
    const failed =
      'event: answer\ndata: {"id":"a2","parent_id":"q1"}\n\nevent: done\ndata: {"id":"a2","status":"failed","error":{"message":"the model is overloaded"}}\n\n';
    const { fetch, requests } = fakeFetch(sse(cutAt(failed, [1, 2, 3])));
    vi.stubGlobal("fetch", fetch);
    const end = await streamAnswer("c1", { regenerate: "a1", model: "echo" }, { onText: () => {} }, new AbortController().signal);
    expect(end.error?.message).toBe("the model is overloaded");
    expect(requests[0]!.url).toBe("/v1/conversations/c1/messages/a1/regenerate");
    expect(JSON.parse(requests[0]!.init.body as string)).toEqual({ model: "echo" });
  });

  it("treats a stream that closes before `done` as stopped, dropping the unfinished event", async () => {
    const cut = 'event: delta\ndata: {"text":"Sel"}\n\nevent: delta\ndata: {"text":"amat';
    vi.stubGlobal("fetch", fakeFetch(sse(cutAt(cut, [10]))).fetch);
    let text = "";
    const end = await streamAnswer("c1", { content: "x", model: "echo" }, { onText: (t) => (text += t) }, new AbortController().signal);
    expect(end).toEqual({ status: "stopped" });
    expect(text).toBe("Sel");
  });
});

describe("errors", () => {
  const reply =
    (status: number, body: string, type = "application/json", statusText = "") =>
    () =>
      new Response(body, { status, statusText, headers: { "content-type": type } });

  it("show the server's message from an error body", async () => {
    vi.stubGlobal(
      "fetch",
      fakeFetch(reply(400, JSON.stringify({ error: { message: "model must be one of: echo", type: "invalid_request_error" } }))).fetch,
    );
    await expect(streamAnswer("c1", { content: "x", model: "nope" }, { onText: () => {} }, new AbortController().signal)).rejects.toThrow(
      "model must be one of: echo",
    );
  });

  it("say the status, with a short plain-text body, when a proxy answers instead of the server", async () => {
    vi.stubGlobal(
      "fetch",
      fakeFetch(
        reply(502, "upstream connect error", "text/plain", "Bad Gateway"),
        reply(504, "<html><body><h1>504 Gateway Time-out</h1></body></html>", "text/html", "Gateway Timeout"),
      ).fetch,
    );
    await expect(conversations.list()).rejects.toThrow(/^HTTP 502 Bad Gateway: upstream connect error$/);
    await expect(conversations.get("c1")).rejects.toThrow(/^HTTP 504 Gateway Timeout$/);
  });

  it("ask for a key on 401", async () => {
    vi.stubGlobal("fetch", fakeFetch(reply(401, JSON.stringify({ error: { message: "an API key is required" } }))).fetch);
    const error = await conversations.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeedsKey);
    expect((error as Error).message).toBe("an API key is required");
  });

  it("name an event whose data is not JSON", async () => {
    vi.stubGlobal("fetch", fakeFetch(sse(cutAt("event: delta\ndata: <oops>\n\n", []))).fetch);
    await expect(streamAnswer("c1", { content: "x", model: "echo" }, { onText: () => {} }, new AbortController().signal)).rejects.toThrow(
      "the server sent an event that is not JSON: <oops>",
    );
  });
});

describe("translateFile", () => {
  it("reports progress and resolves with the translation", async () => {
    const body =
      'event: progress\ndata: {"done":1,"total":2}\n\nevent: progress\ndata: {"done":2,"total":2}\n\nevent: done\ndata: {"name":"surat.japanese.md","markdown":"# 手紙"}\n\n';
    const { fetch, requests } = fakeFetch(sse(cutAt(body, [7, 40, 41, 90])));
    vi.stubGlobal("fetch", fetch);
    const progress: string[] = [];
    const out = await translateFile(new File(["# Surat"], "surat kita.md"), "Japanese", "upper", (done, total) =>
      progress.push(`${done}/${total}`),
    );
    expect(out).toEqual({ name: "surat.japanese.md", markdown: "# 手紙" });
    expect(progress).toEqual(["1/2", "2/2"]);
    expect(new URL(requests[0]!.url, "http://x").searchParams.get("name")).toBe("surat kita.md");
  });

  it("fails with the server's message, or says the stream ended early", async () => {
    vi.stubGlobal(
      "fetch",
      fakeFetch(
        sse(cutAt('event: error\ndata: {"message":"surat.md has no text"}\n\n', [5])),
        sse(cutAt('event: progress\ndata: {"done":1,"total":2}\n\n', [])),
      ).fetch,
    );
    const file = new File(["x"], "surat.md");
    await expect(translateFile(file, "Japanese", "upper", () => {})).rejects.toThrow("surat.md has no text");
    await expect(translateFile(file, "Japanese", "upper", () => {})).rejects.toThrow("the translation ended early");
  });
});
