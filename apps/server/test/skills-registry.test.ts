import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { searchTool, skills, type Skill } from "@benih/assistant";
import { access } from "@benih/gateway";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { z } from "zod";
import { startServer } from "./harness.ts";

// A skill made the way a new one is (a folder's worth: id, options, chip, tool, routes) and registered with one
// line, before the server starts: the whole server then offers it, and nothing else was changed for it.
// `system` answers "<system message> | <last user message>"; `tool-caller` calls the first tool it is offered
// with the question, then answers "Found: <the first line of the tool's result>".
const shout: Skill<{ times: number }> = {
  id: "shout",
  options: z.strictObject({ times: z.number().int().min(1).max(3) }),
  answer: async (_, { times }) => ({ kind: "grounded", system: `Shout ${times} times.`, meta: { skill: "shout" } }),
  tool: {
    definition: searchTool("shout_book", "Look up how loud things are."),
    search: async (_request, _services, query) => [
      { documentId: "book", title: "The shout book", source: "book.md", page: 3, text: `${query.toUpperCase()}!`, score: 1 },
    ],
  },
  routes: (app) => app.get("/v1/shout", access("person"), async () => ({ loud: true })),
};
skills.register(shout);

let upstream: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  upstream = await startFakeOpenAI({ models: ["system", "tool-caller"] });
  server = await startServer({
    env: { OPENAI_API_KEY: "sk", OPENAI_BASE_URL: `${upstream.url}/v1` },
    yaml: "routes:\n  - { model: system, targets: [{ provider: openai, model: system }] }\n  - { model: tool-caller, targets: [{ provider: openai, model: tool-caller }] }\n",
  });
});
after(async () => {
  await server?.close();
  await upstream?.close();
});

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(server.url + path, {
    method,
    ...(body !== undefined && { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined) as any };
};

describe("the skill registry", () => {
  it("makes a registered skill a chip: its options checked, its instructions given to the model, its meta kept", async () => {
    const conv = (await api("POST", "/v1/conversations", { model: "system" })).json.id as string;
    const asked = await api("POST", `/v1/conversations/${conv}/messages`, { content: "hello", skill: "shout", options: { times: 2 } });
    assert.equal(asked.status, 200, asked.text);
    assert.match(asked.text, /event: answer\ndata: \{[^\n]*"meta":\{"skill":"shout"\}/);
    const [question, answer] = (await api("GET", `/v1/conversations/${conv}`)).json.messages;
    assert.deepEqual(question.meta, { skill: "shout", options: { times: 2 } });
    assert.deepEqual([answer.content, answer.meta.skill], ["Shout 2 times. | hello", "shout"]);

    const loud = await api("POST", `/v1/conversations/${conv}/messages`, { content: "x", skill: "shout", options: { times: 9 } });
    assert.deepEqual([loud.status, loud.json.error.param], [400, "options.times"]);
    const stray = await api("POST", `/v1/conversations/${conv}/messages`, { content: "x", skill: "shout", options: { volume: 11 } });
    assert.equal(stray.status, 400, "options the skill does not take are refused");
  });

  it("refuses a skill it does not have, naming those it has", async () => {
    const conv = (await api("POST", "/v1/conversations", { model: "system" })).json.id as string;
    const unknown = await api("POST", `/v1/conversations/${conv}/messages`, { content: "la la", skill: "sing" });
    assert.deepEqual([unknown.status, unknown.json.error.code, unknown.json.error.param], [400, "invalid_skill", "skill"]);
    assert.equal(
      unknown.json.error.message,
      'skill: there is no skill "sing"; this server has search, web, translate, write, image, video, shout',
    );
    assert.equal((await api("GET", `/v1/conversations/${conv}`)).json.messages.length, 0, "nothing was kept");
    const agent = await api("POST", "/v1/agents", { name: "Singer", skills: ["search", "sing"] });
    assert.deepEqual([agent.status, agent.json.error.param], [400, "skills.1"]);
    const strayOptions = await api("POST", `/v1/conversations/${conv}/messages`, { content: "x", options: { times: 1 } });
    assert.deepEqual([strayOptions.status, strayOptions.json.error.param], [400, "options"]);
  });

  it("offers a registered skill's tool to an agent that uses tools, and keeps what it cited", async () => {
    const agent = await api("POST", "/v1/agents", { name: "Loud", skills: ["shout"], toolUse: true });
    assert.equal(agent.status, 201, agent.text);
    const conv = (await api("POST", "/v1/conversations", { model: "tool-caller", agent: agent.json.id })).json.id as string;
    assert.equal((await api("POST", `/v1/conversations/${conv}/messages`, { content: "a whisper" })).status, 200);
    const answer = (await api("GET", `/v1/conversations/${conv}`)).json.messages.at(-1);
    assert.equal(answer.content, "Found: [1] The shout book, page 3:");
    assert.deepEqual(answer.meta.citations, [
      { n: 1, documentId: "book", title: "The shout book", source: "book.md", page: 3, excerpt: "A WHISPER!" },
    ]);
  });

  it("serves a registered skill's routes and describes it in /openapi.json", async () => {
    assert.deepEqual((await api("GET", "/v1/shout")).json, { loud: true });
    const doc = (await api("GET", "/openapi.json")).json;
    const body = doc.paths["/v1/conversations/{id}/messages"].post.requestBody.content["application/json"].schema;
    assert.deepEqual(body.properties.skill.enum, ["search", "web", "translate", "write", "image", "video", "shout"]);
    assert.ok(
      body.properties.options.anyOf.some(
        (o: { title: string; properties?: object }) => o.title === "shout" && "times" in (o.properties ?? {}),
      ),
    );
  });

  it("has voice as a skill that is its own API, not a chip, and says on the settings page what speech it has", async () => {
    assert.ok(skills.all().some((s) => s.id === "voice"));
    const conv = (await api("POST", "/v1/conversations", { model: "system" })).json.id as string;
    const chip = await api("POST", `/v1/conversations/${conv}/messages`, { content: "say it", skill: "voice" });
    assert.deepEqual([chip.status, chip.json.error.code], [400, "invalid_skill"]);
    assert.equal(chip.json.error.message, "skill: voice is not chosen per message; it has its own API");
    assert.deepEqual((await api("POST", "/v1/agents", { name: "Talker", skills: ["voice"] })).json.error.param, "skills.0");
    // Its routes are served like any skill's: here the offline speech model refuses an unknown voice.
    const spoken = await api("POST", "/v1/audio/speech", { model: "espeak-ng", input: "hello", voice: "robot" });
    assert.deepEqual([spoken.status, spoken.json.error.code], [400, "unknown_voice"]);
    const settings = (await api("GET", "/v1/settings")).json.skills;
    assert.deepEqual(settings.speech, { configured: true, models: ["espeak-ng"] });
    assert.equal(settings.transcription.configured, false);
    assert.match(settings.transcription.set, /assistant\.transcription/);
  });
});
