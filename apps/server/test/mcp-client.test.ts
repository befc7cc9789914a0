import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { parseConfig } from "../src/config/load.ts";
import { startServer } from "./harness.ts";
import { everythingBin, startLoopbackMcp, startSessionMcp } from "./mcp-loopback.ts";

// Agents that use tools call tools of MCP servers: @modelcontextprotocol/server-everything over stdio, and a
// Streamable HTTP server on loopback (mcp-loopback.ts). The fake upstream's `call:<name>` model calls the offered
// tool <name> with the question as its arguments, then answers "Tool said: <the first line of its result>".
const TOKEN = "mcp-token-for-tests";
let upstream: FakeServer;
let loopback: Awaited<ReturnType<typeof startLoopbackMcp>>;
let sessions: Awaited<ReturnType<typeof startSessionMcp>>;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;

const callers: Record<string, string> = {
  echo: "call:everything__echo",
  sum: "call:everything__get-sum",
  weather: "call:local__weather",
  secret: "call:local__secret",
  hang: "call:local__hang",
  broken: "call:local__broken",
  big: "call:local__big",
  delete: "call:local__delete_file",
  pid: "call:crashing__pid",
  crash: "call:crashing__crash",
  instance: "call:sessions__instance",
  hasty: "call:hasty__delete_file",
};
const crashing = fileURLToPath(new URL("./mcp-crashing-server.mjs", import.meta.url));

before(async () => {
  upstream = await startFakeOpenAI({ models: Object.values(callers) });
  loopback = await startLoopbackMcp(TOKEN);
  sessions = await startSessionMcp();
  server = await startServer(serverOptions());
  alice = (await server.store.apiKeys.create("alice")).key;
  bob = (await server.store.apiKeys.create("bob")).key;
});
after(async () => {
  await server?.close();
  await loopback?.close();
  await sessions?.close();
  await upstream?.close();
});

/** The test server's options; `env` adds to its environment. */
const serverOptions = (env: NodeJS.ProcessEnv = {}) => ({
  // An answer waiting for a person's OK sends a keepalive comment this often (15 s in service).
  keepaliveMs: 100,
  env: {
    OPENAI_API_KEY: "sk",
    OPENAI_BASE_URL: `${upstream.url}/v1`,
    BENIH_ADMIN_KEY: "bk-admin-mcp-client-test",
    LOOPBACK_MCP_TOKEN: TOKEN,
    ...env,
  },
  yaml: `
auth: { required: true }
routes:
${Object.entries(callers)
  .map(([name, model]) => `  - { model: ${name}, targets: [{ provider: openai, model: "${model}" }] }`)
  .join("\n")}
mcp:
  - name: everything
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(everythingBin)}, stdio]
    tools: [echo, get-sum]
  - name: crashing
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(crashing)}]
    tools: [pid, crash]
  - name: local
    url: ${loopback.url}
    headers: { authorization: "Bearer \${LOOPBACK_MCP_TOKEN}" }
    tools: [weather, delete_file, big, hang, broken]
    confirm: [delete_file]
    timeoutSeconds: 2 # short for the hang test; enough for a first connection on a busy machine
    confirmSeconds: 5
  - name: sessions
    url: ${sessions.url}
    tools: [instance]
  - name: hasty
    url: ${loopback.url}
    headers: { authorization: "Bearer \${LOOPBACK_MCP_TOKEN}" }
    tools: [delete_file]
    confirm: [delete_file]
    confirmSeconds: 1
`,
});

const api = async (key: string, method: string, path: string, body?: unknown, base = server.url) => {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: (text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined) as any,
  };
};

/** A conversation with a new tool-using agent of `skills`, answered by `model`. */
async function conversationWith(model: string, skills: string[]) {
  const agent = await api(alice, "POST", "/v1/agents", { name: `${model} agent`, skills, toolUse: true });
  assert.equal(agent.status, 201, agent.text);
  return (await api(alice, "POST", "/v1/conversations", { model, agent: agent.json.id })).json.id as string;
}

/** Asks, and returns the answer as kept. */
async function ask(conversation: string, content: unknown) {
  const asked = await api(alice, "POST", `/v1/conversations/${conversation}/messages`, { content: JSON.stringify(content) });
  assert.equal(asked.status, 200, asked.text);
  return { events: asked.text, answer: (await api(alice, "GET", `/v1/conversations/${conversation}`)).json.messages.at(-1) };
}

/** The tools the upstream was offered in the last chat request. */
const offeredLast = () =>
  (upstream.seen.filter((s) => s.path.endsWith("/chat/completions")).at(-1)!.body.tools ?? []) as Array<{
    function: { name: string; description: string; parameters: any };
  }>;

describe("MCP tools for agents", () => {
  it("lists the market's allowed tools with their descriptions, and nothing else of the servers", async () => {
    const listed = await api(alice, "GET", "/v1/mcp/tools");
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(
      listed.json.data.map((t: { id: string }) => t.id).sort(),
      [
        "mcp:crashing/crash",
        "mcp:crashing/pid",
        "mcp:everything/echo",
        "mcp:everything/get-sum",
        "mcp:hasty/delete_file",
        "mcp:local/big",
        "mcp:local/broken",
        "mcp:local/delete_file",
        "mcp:local/hang",
        "mcp:local/weather",
        "mcp:sessions/instance",
      ],
      `server-everything's other tools and the loopback's secret are not shown (${JSON.stringify(listed.json.errors)})`,
    );
    const echo = listed.json.data.find((t: { id: string }) => t.id === "mcp:everything/echo");
    assert.equal(echo.description, "Echoes back the input string");
    assert.equal(echo.inputSchema.properties.message.type, "string");
    assert.deepEqual(
      listed.json.data.filter((t: { confirm: boolean }) => t.confirm).map((t: { id: string }) => t.id),
      ["mcp:local/delete_file", "mcp:hasty/delete_file"],
    );
    assert.deepEqual(listed.json.errors, []);
    assert.equal((await fetch(`${server.url}/v1/mcp/tools`)).status, 401, "people only");
  });

  it("refuses an agent naming a tool that is not allowed, naming those that are", async () => {
    const secret = await api(alice, "POST", "/v1/agents", { name: "Spy", skills: ["search", "mcp:local/secret"], toolUse: true });
    assert.deepEqual([secret.status, secret.json.error.param, secret.json.error.code], [400, "skills.1", "invalid_skill"]);
    assert.match(
      secret.json.error.message,
      /^skills\.1: there is no MCP tool "mcp:local\/secret" here; this market has mcp:everything\/echo, mcp:everything\/get-sum, mcp:crashing\/pid/,
    );
    const made = await api(alice, "POST", "/v1/agents", { name: "Weather", skills: ["mcp:local/weather"], toolUse: true });
    assert.equal(made.status, 201);
    const patched = await api(alice, "PATCH", `/v1/agents/${made.json.id}`, { skills: ["mcp:nowhere/x"] });
    assert.deepEqual([patched.status, patched.json.error.param], [400, "skills.0"]);
  });

  it("calls a tool of a stdio server (server-everything's echo) and keeps the call with the answer", async () => {
    const conversation = await conversationWith("echo", ["mcp:everything/echo"]);
    const { events, answer } = await ask(conversation, { message: "hello from benih" });
    assert.equal(answer.content, "Tool said: Echo: hello from benih");
    assert.equal(answer.meta.toolCalls.length, 1);
    const [call] = answer.meta.toolCalls;
    assert.deepEqual(
      { ...call, id: undefined },
      {
        id: undefined,
        server: "everything",
        tool: "echo",
        arguments: { message: "hello from benih" },
        result: "Echo: hello from benih",
        status: "done",
      },
    );
    assert.match(events, /event: tool\ndata: \{[^\n]*"status":"running"/);
    assert.match(events, /event: tool\ndata: \{[^\n]*"status":"done"/);
    // The model was offered the tool the agent names, with its inputSchema as the parameters.
    const offered = offeredLast();
    assert.deepEqual(
      offered.map((t) => t.function.name),
      ["everything__echo"],
    );
    assert.equal(offered[0]!.function.description, "Echoes back the input string");
    assert.deepEqual(offered[0]!.function.parameters.required, ["message"]);

    const sum = await ask(await conversationWith("sum", ["mcp:everything/get-sum"]), { a: 2, b: 40 });
    assert.equal(sum.answer.content, "Tool said: The sum of 2 and 40 is 42.");
  });

  it("calls a tool of a Streamable HTTP server with the configured headers, and never offers one outside the allow-list", async () => {
    const conversation = await conversationWith("weather", ["mcp:local/weather"]);
    const { answer } = await ask(conversation, { city: "Jakarta" });
    assert.equal(answer.content, "Tool said: Sunny in Jakarta, 31°C");
    assert.equal(answer.meta.toolCalls[0].status, "done");
    assert.deepEqual(loopback.called.at(-1), { name: "weather", arguments: { city: "Jakarta" } });

    // An agent with every tool it may name: the model tries the one it may not, which it was never offered.
    const all = (await api(alice, "GET", "/v1/mcp/tools")).json.data.map((t: { id: string }) => t.id).slice(0, 12);
    const greedy = await conversationWith("secret", all);
    const before = loopback.called.length;
    const tried = await ask(greedy, {});
    assert.equal(tried.answer.content, "No tool local__secret.");
    const names = offeredLast().map((t) => t.function.name);
    assert.ok(names.includes("local__weather") && names.includes("everything__echo"), names.join());
    assert.ok(!names.some((n) => n.includes("secret")), names.join());
    assert.equal(tried.answer.meta.toolCalls, undefined);
    assert.equal(loopback.called.length, before, "the secret tool was never called");
  });

  it("abandons a call to a server that hangs, with a clear error in the answer's tool call", async () => {
    const started = Date.now();
    const { answer } = await ask(await conversationWith("hang", ["mcp:local/hang"]), {});
    assert.ok(Date.now() - started < 6000, "the answer did not wait past the limit");
    const [call] = answer.meta.toolCalls;
    assert.equal(call.status, "error");
    assert.equal(call.error, "local did not answer hang within 2 s; the call was abandoned");
    assert.equal(call.result, undefined);
    assert.equal(answer.content, "Tool said: error: local did not answer hang within 2 s; the call was abandoned");
    assert.equal(answer.status, "done");
    assert.ok(loopback.methods.includes("notifications/cancelled"), "the server was told the call is abandoned");
  });

  it("turns a malformed result into a clear error, keeping nothing of it", async () => {
    const { answer } = await ask(await conversationWith("broken", ["mcp:local/broken"]), {});
    const [call] = answer.meta.toolCalls;
    assert.equal(call.status, "error");
    assert.match(call.error, /^local did not answer broken with a valid MCP result \(content\.0/);
    assert.equal(call.result, undefined);
    assert.match(answer.content, /^Tool said: error: local did not answer broken with a valid MCP result/);
  });

  it("starts a stdio server that crashed again at the next call", async () => {
    const pid = async () => (await ask(await conversationWith("pid", ["mcp:crashing/pid"]), {})).answer.content as string;
    const first = await pid();
    assert.match(first, /^Tool said: \d+$/);
    const crashed = (await ask(await conversationWith("crash", ["mcp:crashing/crash"]), {})).answer.meta.toolCalls[0];
    assert.equal(crashed.status, "error");
    assert.match(crashed.error, /^crashing closed the connection before it could answer crash/);
    const second = await pid();
    assert.match(second, /^Tool said: \d+$/);
    assert.notEqual(second, first, "a new process answers");
  });

  it("starts a new session when a Streamable HTTP server restarted and says 404 to the old one, and the call goes through", async () => {
    const instance = async () => (await ask(await conversationWith("instance", ["mcp:sessions/instance"]), {})).answer;
    assert.equal((await instance()).content, "Tool said: instance 1");
    const sessionsBefore = sessions.initialized;
    await sessions.restart();
    const second = await instance();
    assert.equal(second.content, "Tool said: instance 2", JSON.stringify(second.meta.toolCalls));
    assert.equal(second.meta.toolCalls[0].status, "done");
    assert.equal(sessions.initialized, sessionsBefore + 1, "one new session was started");
    assert.equal(sessions.calls[2], 1, "the call ran once, in the new session");
    assert.equal((await instance()).content, "Tool said: instance 2");
    assert.equal(sessions.initialized, sessionsBefore + 1, "the new session is kept");
  });

  it("cuts a long result to 20,000 characters and says so", async () => {
    const { answer } = await ask(await conversationWith("big", ["mcp:local/big"]), {});
    const { result } = answer.meta.toolCalls[0];
    assert.ok(result.startsWith("x".repeat(20_000)));
    assert.equal(result.slice(20_000), "\n[cut: the result was 30,000 characters; the first 20,000 are shown]");
  });
});

/** Sends a question whose tool waits for an OK; resolves once the stream asks, with the rest of the stream to read. */
async function askForConfirmation(conversation: string, content: unknown) {
  const res = await fetch(`${server.url}/v1/conversations/${conversation}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
    body: JSON.stringify({ content: JSON.stringify(content) }),
  });
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/event: confirm\n/.test(seen)) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the stream ended without asking: ${seen}`);
    seen += value;
  }
  const confirm = JSON.parse(/event: confirm\ndata: (.*)\n/.exec(seen)![1]!);
  const answerId = JSON.parse(/event: answer\ndata: (.*)\n/.exec(seen)![1]!).id as string;
  const rest = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return seen;
      seen += value;
    }
  };
  /** Reads on until `enough` holds for the stream so far. */
  const until = async (enough: (seen: string) => boolean) => {
    while (!enough(seen)) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the stream ended: ${seen}`);
      seen += value;
    }
    return seen;
  };
  return { confirm, answerId, rest, until };
}

const keepalives = (events: string) => events.split(": keepalive\n\n").length - 1;

describe("MCP tools that ask first", () => {
  it("waits for the person's OK, which no one else can give, and calls the tool once approved", async () => {
    const conversation = await conversationWith("delete", ["mcp:local/delete_file"]);
    const before = loopback.called.length;
    const { confirm, answerId, rest } = await askForConfirmation(conversation, { path: "report.txt" });
    assert.deepEqual(
      [confirm.call.tool, confirm.call.status, confirm.call.arguments],
      ["delete_file", "awaiting_confirmation", { path: "report.txt" }],
    );
    assert.equal(confirm.expiresInSeconds, 5);
    const decide = (key: string, approve: unknown) =>
      api(key, "POST", `/v1/conversations/${conversation}/messages/${answerId}/tool-calls/${confirm.call.id}`, { approve });
    assert.equal(loopback.called.length, before, "nothing is called before the OK");

    assert.equal((await decide(bob, true)).status, 404, "another person's conversation is not found");
    assert.equal((await decide(alice, "yes")).status, 400);
    assert.equal(loopback.called.length, before);
    const ok = await decide(alice, true);
    assert.deepEqual([ok.status, ok.json], [202, { id: confirm.call.id, approve: true }]);
    const events = await rest();
    assert.match(events, /event: done\n/);
    assert.deepEqual(loopback.called.at(-1), { name: "delete_file", arguments: { path: "report.txt" } });
    const answer = (await api(alice, "GET", `/v1/conversations/${conversation}`)).json.messages.at(-1);
    assert.equal(answer.content, "Tool said: deleted report.txt");
    assert.deepEqual([answer.meta.toolCalls[0].status, answer.meta.toolCalls[0].result], ["done", "deleted report.txt"]);
    assert.equal((await decide(alice, true)).status, 409, "a decided call waits no more");
  });

  it("tells the model the person declined, and calls nothing", async () => {
    const conversation = await conversationWith("delete", ["mcp:local/delete_file"]);
    const before = loopback.called.length;
    const { confirm, answerId, rest } = await askForConfirmation(conversation, { path: "thesis.pdf" });
    const no = await api(alice, "POST", `/v1/conversations/${conversation}/messages/${answerId}/tool-calls/${confirm.call.id}`, {
      approve: false,
    });
    assert.equal(no.status, 202);
    await rest();
    assert.equal(loopback.called.length, before);
    const answer = (await api(alice, "GET", `/v1/conversations/${conversation}`)).json.messages.at(-1);
    assert.equal(answer.content, "Tool said: The call to delete_file was not made: the person declined this call.");
    assert.deepEqual([answer.meta.toolCalls[0].status, answer.meta.toolCalls[0].error], ["declined", "the person declined this call"]);
  });
});

describe("MCP tools that ask first, while the person decides", () => {
  it("keeps the answer's stream alive with a comment while it waits for the OK, and only then", async () => {
    const conversation = await conversationWith("delete", ["mcp:local/delete_file"]);
    const { confirm, answerId, rest, until } = await askForConfirmation(conversation, { path: "notes.md" });
    const seen = await until((so) => keepalives(so) >= 3);
    assert.ok(seen.indexOf(": keepalive\n\n") > seen.indexOf("event: confirm\n"), "none before the stream asks");
    const ok = await api(alice, "POST", `/v1/conversations/${conversation}/messages/${answerId}/tool-calls/${confirm.call.id}`, {
      approve: true,
    });
    assert.equal(ok.status, 202);
    const events = await rest();
    const running = events.search(/event: tool\ndata: \{[^\n]*"status":"running"/);
    assert.ok(running > 0, events);
    assert.equal(keepalives(events.slice(running)), 0, "none once the person decided");
    assert.match(events, /event: done\ndata: \{[^\n]*"status":"done"/);
  });

  it("refuses the call to the model when no one approves it in time, and the answer goes on", async () => {
    const conversation = await conversationWith("hasty", ["mcp:hasty/delete_file"]);
    const before = loopback.called.length;
    const started = Date.now();
    const { confirm, answerId, rest } = await askForConfirmation(conversation, { path: "budget.xlsx" });
    assert.equal(confirm.expiresInSeconds, 1);
    const events = await rest();
    assert.ok(Date.now() - started >= 900, "it waited for the person first");
    assert.match(events, /event: done\ndata: \{[^\n]*"status":"done"/);
    assert.equal(loopback.called.length, before, "nothing was called");
    const answer = (await api(alice, "GET", `/v1/conversations/${conversation}`)).json.messages.at(-1);
    assert.equal(answer.status, "done");
    assert.equal(answer.content, "Tool said: The call to delete_file was not made: the person did not approve this call within 1 s.");
    assert.deepEqual(
      [answer.meta.toolCalls[0].status, answer.meta.toolCalls[0].error],
      ["declined", "the person did not approve this call within 1 s"],
    );
    const late = await api(alice, "POST", `/v1/conversations/${conversation}/messages/${answerId}/tool-calls/${confirm.call.id}`, {
      approve: true,
    });
    assert.equal(late.status, 409, "an OK after the time is up comes too late");
    assert.equal(loopback.called.length, before);
  });

  it("gives up the call when the answer is stopped while it waits for the OK", async () => {
    const conversation = await conversationWith("delete", ["mcp:local/delete_file"]);
    const before = loopback.called.length;
    const { confirm, answerId, rest } = await askForConfirmation(conversation, { path: "photos/" });
    const asked = upstream.seen.filter((s) => s.path.endsWith("/chat/completions")).length;
    const started = Date.now();
    const stop = await api(alice, "POST", `/v1/conversations/${conversation}/messages/${answerId}/stop`);
    assert.equal(stop.status, 202, stop.text);
    const events = await rest();
    assert.ok(Date.now() - started < 3000, "it did not wait for the OK's time to run out");
    assert.match(events, /event: done\ndata: \{[^\n]*"status":"stopped"/);
    assert.equal(upstream.seen.filter((s) => s.path.endsWith("/chat/completions")).length, asked, "the model was not asked again");
    const answer = (await api(alice, "GET", `/v1/conversations/${conversation}`)).json.messages.at(-1);
    assert.equal(answer.status, "stopped");
    assert.deepEqual(
      [answer.meta.toolCalls[0].status, answer.meta.toolCalls[0].error],
      ["declined", "the answer was stopped before the person approved this call"],
    );
    const late = await api(alice, "POST", `/v1/conversations/${conversation}/messages/${answerId}/tool-calls/${confirm.call.id}`, {
      approve: true,
    });
    assert.equal(late.status, 409, "a stopped answer's call waits no more");
    assert.equal(loopback.called.length, before, "nothing was called");
  });
});

describe("MCP tools that ask first, behind a load balancer", () => {
  // A second instance on the same store (the SQLite file): its signals stay in its own memory, so the waiting
  // instance learns of a decision given there from the store alone.
  let other: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    other = await startServer(serverOptions({ BENIH_DATA_DIR: server.dataDir }));
  });
  after(async () => {
    await other?.close();
  });

  it("takes the OK given on another instance, within about a second, and refuses it twice or to another person", async () => {
    const conversation = await conversationWith("delete", ["mcp:local/delete_file"]);
    const before = loopback.called.length;
    const { confirm, answerId, rest } = await askForConfirmation(conversation, { path: "minutes.doc" });
    const path = `/v1/conversations/${conversation}/messages/${answerId}/tool-calls/${confirm.call.id}`;
    assert.equal((await api(bob, "POST", path, { approve: true }, other.url)).status, 404, "not bob's conversation");
    const decided = Date.now();
    const ok = await api(alice, "POST", path, { approve: true }, other.url);
    assert.deepEqual([ok.status, ok.json], [202, { id: confirm.call.id, approve: true }]);
    const events = await rest();
    assert.ok(Date.now() - decided < 2500, `the answer went on ${Date.now() - decided} ms after the OK`);
    assert.match(events, /event: done\ndata: \{[^\n]*"status":"done"/);
    assert.deepEqual(loopback.called.at(-1), { name: "delete_file", arguments: { path: "minutes.doc" } });
    assert.equal(loopback.called.length, before + 1);
    const again = await api(alice, "POST", path, { approve: false }, other.url);
    assert.deepEqual([again.status, again.json.error.code], [409, "not_waiting"], "a decided call waits no more");
    assert.equal((await api(alice, "POST", path, { approve: false })).status, 409, "on either instance");
  });

  it("refuses on another instance an OK that comes after the time is up", async () => {
    const conversation = await conversationWith("hasty", ["mcp:hasty/delete_file"]);
    const before = loopback.called.length;
    const { confirm, answerId, rest } = await askForConfirmation(conversation, { path: "ledger.csv" });
    await rest();
    const late = await api(
      alice,
      "POST",
      `/v1/conversations/${conversation}/messages/${answerId}/tool-calls/${confirm.call.id}`,
      { approve: true },
      other.url,
    );
    assert.equal(late.status, 409);
    assert.equal(loopback.called.length, before, "nothing was called");
  });
});

describe("mcp: in benih.yaml", () => {
  const parse = (server: string) => () => parseConfig(`mcp:\n  - ${server}\n`, "benih.yaml", {});
  it("takes a command or a url, one of them, and confirms only tools it allows", () => {
    assert.throws(parse("{ name: a, tools: [x] }"), /mcp\[0\]: give command \(a process spoken to over stdio\) or url/);
    assert.throws(parse('{ name: a, command: node, url: "http://127.0.0.1:1/mcp", tools: [x] }'), /give command .* or url/);
    assert.throws(parse("{ name: a, command: node, tools: [x], confirm: [y] }"), /mcp\[0\]\.confirm\[0\]: y is not one of tools \(x\)/);
    assert.throws(parse("{ name: a, command: node, tools: [] }"), /allow at least one tool/);
    assert.throws(parse("{ name: a, command: node, tools: [x], markets: [cn] }"), /"cn" is not one of the markets/);
    assert.equal(parse("{ name: a, command: node, tools: [x] }")().mcp[0]!.timeoutSeconds, 30);
  });
});
