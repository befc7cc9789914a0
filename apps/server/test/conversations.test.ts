import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { startServer } from "./harness.ts";
import { until } from "./until.ts";

// Conversations through the whole server: answers come from a loopback OpenAI server through benih's own gateway,
// as the user who asked. `echo` answers "(n) <last user message>", n being how many messages the model was sent.
const story = "The quick brown fox jumps over the lazy dog. ".repeat(3);
let upstream: FakeServer;
let slowUpstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;

before(async () => {
  upstream = await startFakeOpenAI({ models: ["echo"] });
  slowUpstream = await startFakeOpenAI({ models: ["say:x"], chunkDelayMs: 100 });
  server = await startServer({
    env: {
      OPENAI_API_KEY: "sk-upstream",
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      SLOW_API_KEY: "sk-slow",
      BENIH_ADMIN_KEY: "bk-admin-conversations-test",
    },
    yaml: `
auth: { required: true }
limits: { concurrentPerKey: 2 }
providers:
  - { name: slow, type: openai-compatible, baseURL: "${slowUpstream.url}/v1", apiKey: "\${SLOW_API_KEY}", listModels: false }
routes:
  - model: echo
    targets: [{ provider: openai, model: echo }]
  - model: slow
    targets: [{ provider: slow, model: "say:${story}" }]
`,
  });
  alice = (await server.store.apiKeys.create("alice")).key;
  bob = (await server.store.apiKeys.create("bob")).key;
});
after(async () => {
  await server?.close();
  await upstream?.close();
  await slowUpstream?.close();
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
    headers: res.headers,
    text,
    json: (text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined) as any,
  };
};

interface Events {
  user?: { id: string; content: string };
  answer?: { id: string };
  text: string;
  done?: { id: string; status: string; error?: { status: number; code?: string; message: string } };
}
/**
 * Posts and reads the server-sent events; `stopAfter` aborts once that much text came, as the stop button does.
 * The key goes as a bearer token, or as `x-api-key` as Anthropic-style clients send it.
 */
async function post(
  key: string,
  path: string,
  body: unknown,
  stopAfter?: number,
  keyHeader: "authorization" | "x-api-key" = "authorization",
): Promise<Events> {
  const stop = new AbortController();
  const auth: Record<string, string> = keyHeader === "authorization" ? { authorization: `Bearer ${key}` } : { "x-api-key": key };
  const res = await fetch(server.url + path, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: stop.signal,
  });
  if (res.status !== 200) assert.fail(`HTTP ${res.status}: ${await res.text()}`);
  assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
  const out: Events = { text: "" };
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of res.body!) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const [eventLine, dataLine] = buffer.slice(0, end).split("\n");
        buffer = buffer.slice(end + 2);
        const event = eventLine!.slice("event: ".length);
        const data = JSON.parse(dataLine!.slice("data: ".length));
        if (event === "delta") out.text += data.text;
        else (out as any)[event] = data;
        if (stopAfter !== undefined && out.text.length >= stopAfter) stop.abort();
      }
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  }
  return out;
}

describe("conversations", () => {
  it("answer through the gateway; edits and regenerations are branches; the branch shown can be switched; export and search", async () => {
    const created = await api(alice, "POST", "/v1/conversations", { model: "echo" });
    assert.equal(created.status, 201);
    const id = created.json.id as string;
    const first = await post(alice, `/v1/conversations/${id}/messages`, { content: "Hi there" });
    assert.equal(first.text, "(1) Hi there");
    assert.equal(first.done?.status, "done");
    const second = await post(alice, `/v1/conversations/${id}/messages`, { content: "And you?" });
    assert.equal(second.text, "(3) And you?", "the model got the whole branch");

    // Edit "And you?": a sibling of it, answered with the same history before it.
    let view = (await api(alice, "GET", `/v1/conversations/${id}`)).json;
    const [q1, a1, q2] = view.thread as string[];
    const edited = await post(alice, `/v1/conversations/${id}/messages`, { content: "How are you?", parentId: a1 });
    assert.equal(edited.text, "(3) How are you?");
    view = (await api(alice, "GET", `/v1/conversations/${id}`)).json;
    assert.equal(view.conversation.title, "Hi there", "titled after the first message");
    assert.deepEqual(view.thread, [q1, a1, edited.user!.id, edited.answer!.id]);
    const byId = new Map(view.messages.map((m: { id: string }) => [m.id, m]));
    assert.deepEqual((byId.get(edited.user!.id) as { siblings: string[] }).siblings, [q2, edited.user!.id], "both versions are kept");

    // Regenerate the edited question's answer: a second answer beside the first.
    const again = await post(alice, `/v1/conversations/${id}/messages/${edited.answer!.id}/regenerate`, {});
    assert.equal(again.user, undefined);
    assert.equal(again.text, "(3) How are you?");
    view = (await api(alice, "GET", `/v1/conversations/${id}`)).json;
    assert.deepEqual((view.messages.find((m: { id: string }) => m.id === again.answer!.id) as { siblings: string[] }).siblings, [
      edited.answer!.id,
      again.answer!.id,
    ]);

    // Back to the first version of the question: the branch ends at its answer.
    const switched = await api(alice, "PATCH", `/v1/conversations/${id}`, { leaf: q2 });
    assert.deepEqual(switched.json.thread, [q1, a1, q2, second.answer!.id]);

    const md = await api(alice, "GET", `/v1/conversations/${id}/export`);
    assert.equal(md.status, 200);
    assert.match(md.headers.get("content-type")!, /^text\/markdown/);
    assert.match(md.headers.get("content-disposition")!, /filename\*=UTF-8''Hi%20there\.md/);
    assert.equal(md.text.split("\n").slice(0, 1)[0], "# Hi there");
    assert.match(
      md.text,
      /## You\n\nHi there\n\n## Assistant \(echo\)\n\n\(1\) Hi there\n\n## You\n\nAnd you\?\n\n## Assistant \(echo\)\n\n\(3\) And you\?\n/,
    );
    assert.doesNotMatch(md.text, /How are you/, "only the branch shown");

    assert.deepEqual(
      (await api(alice, "GET", "/v1/conversations/search?q=HOW%20ARE")).json.data.map((c: { id: string }) => c.id),
      [id],
    );
    assert.deepEqual((await api(bob, "GET", "/v1/conversations/search?q=how%20are")).json.data, [], "bob sees none of alice's");
    assert.deepEqual(
      (await api(alice, "GET", "/v1/conversations")).json.data.map((c: { id: string }) => c.id),
      [id],
    );
  });

  it("answers a person whose key came as x-api-key: the assistant's own call to the gateway carries it on", async () => {
    const created = await api(bob, "POST", "/v1/conversations", { model: "echo" });
    const answer = await post(
      bob,
      `/v1/conversations/${created.json.id}/messages`,
      { content: "Sent with x-api-key" },
      undefined,
      "x-api-key",
    );
    assert.deepEqual([answer.done?.status, answer.done?.error, answer.text], ["done", undefined, "(1) Sent with x-api-key"]);
  });

  it("counts an answer once against its key's requests in progress, though the assistant asks the gateway for it", async () => {
    const carol = (await server.store.apiKeys.create("carol")).key;
    const ask = async () => {
      const id = (await api(carol, "POST", "/v1/conversations", { model: "slow" })).json.id as string;
      return fetch(`${server.url}/v1/conversations/${id}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${carol}`, "content-type": "application/json" },
        body: JSON.stringify({ content: "tell me" }),
      });
    };
    const [a, b] = await Promise.all([ask(), ask()]);
    const third = await ask();
    assert.equal(third.status, 429);
    for (const res of [a, b]) {
      assert.equal(res.status, 200);
      assert.match(await res.text(), /event: done[^\n]*\n[^\n]*"status":"done"/);
    }
  });

  it("keeps each key's conversations to itself and says what is wrong with a request", async () => {
    const id = (await api(alice, "POST", "/v1/conversations", { model: "echo", title: "private" })).json.id as string;
    for (const [method, path] of [
      ["GET", `/v1/conversations/${id}`],
      ["DELETE", `/v1/conversations/${id}`],
      ["GET", `/v1/conversations/${id}/export`],
    ] as const) {
      const r = await api(bob, method, path);
      assert.deepEqual([r.status, r.json.error.code], [404, "not_found"], `${method} ${path}`);
    }
    const empty = await api(alice, "POST", `/v1/conversations/${id}/messages`, { content: "" });
    assert.deepEqual([empty.status, empty.json.error.message], [400, "content: write something"]);
    const stray = await api(alice, "POST", `/v1/conversations/${id}/messages`, { content: "hi", parentId: "msg-nope" });
    assert.deepEqual([stray.status, stray.json.error.param], [400, "parentId"]);
    const extra = await api(alice, "POST", "/v1/conversations", { model: "echo", colour: "red" });
    assert.equal(extra.status, 400);
    assert.equal((await api(alice, "GET", "/v1/conversations/search?q=")).status, 400);
    assert.equal((await fetch(`${server.url}/v1/conversations`)).status, 401, "no key, no conversations");

    // A model this server does not have: the answer fails with the gateway's reason, and is kept as failed.
    const failed = await post(alice, `/v1/conversations/${id}/messages`, { content: "hello?", model: "no-such-model" });
    assert.equal(failed.done?.status, "failed");
    assert.deepEqual([failed.done?.error?.status, failed.done?.error?.code], [404, "model_not_found"]);
    const view = (await api(alice, "GET", `/v1/conversations/${id}`)).json;
    assert.equal(view.messages.at(-1).status, "failed");
    assert.equal((await api(alice, "DELETE", `/v1/conversations/${id}`)).status, 204);
    assert.equal((await api(alice, "GET", `/v1/conversations/${id}`)).status, 404);
  });

  it("saves a streaming answer as it comes (within about a second), and keeps what came when the user stops it", async () => {
    const id = (await api(alice, "POST", "/v1/conversations", { model: "slow" })).json.id as string;
    const watching = (async () => {
      // While the answer streams, the store already holds part of it.
      return until(
        "a partial answer in the store",
        async () => {
          const m = (await api(alice, "GET", `/v1/conversations/${id}`)).json.messages.at(-1);
          return m?.role === "assistant" && m.status === "streaming" && m.content.length > 0 ? m.content : undefined;
        },
        10_000,
      );
    })();
    const stopped = await post(alice, `/v1/conversations/${id}/messages`, { content: "Tell me a story" }, 60);
    const partial = await watching;
    assert.ok(story.startsWith(partial), partial);
    const answer = await until("the stopped answer", async () => {
      const m = (await api(alice, "GET", `/v1/conversations/${id}`)).json.messages.at(-1);
      return m.status === "stopped" ? m : undefined;
    });
    assert.ok(
      story.startsWith(answer.content) && answer.content.length >= 60 && answer.content.length < story.length,
      `kept what streamed before the stop (${answer.content.length} characters)`,
    );
    assert.ok(answer.content.startsWith(stopped.text.slice(0, 60)));
    assert.ok(slowUpstream.seen.at(-1)!.aborted, "the stop reached the model");
  });

  it("stops an answer by its stop route: only its owner may, and a stop whose signal was lost is found in the store", async () => {
    const id = (await api(alice, "POST", "/v1/conversations", { model: "slow" })).json.id as string;
    const res = await fetch(`${server.url}/v1/conversations/${id}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ content: "Tell me a story" }),
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let events = "";
    while (!events.includes("event: delta")) events += (await reader.read()).value ?? "";
    const answer = JSON.parse(/event: answer\ndata: (.*)\n/.exec(events)![1]!).id as string;
    const stop = (key: string) => api(key, "POST", `/v1/conversations/${id}/messages/${answer}/stop`);
    assert.equal((await stop(bob)).status, 404, "another person's answer is not found, let alone stopped");

    // As if another instance had asked and its signal never arrived: only the store knows.
    const askedAt = Date.now();
    assert.equal(await server.store.conversations.requestStop(answer), true);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      events += value;
    }
    assert.match(events, /event: done\ndata: \{"id":"[^"]+","status":"stopped"/);
    assert.ok(Date.now() - askedAt < 3_000, `stopped at the answer's next write (${Date.now() - askedAt} ms)`);
    const again = await stop(alice);
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, "not_streaming");
  });
});
