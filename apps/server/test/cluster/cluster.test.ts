import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, startFakeVideo, type FakeServer } from "@benih/fake-upstreams";
import { pgAvailable } from "@benih/store/testing";
import pg from "pg";
import { until } from "../until.ts";
import { type Cluster, haproxyMissing, startCluster } from "./cluster.ts";
import { shortStory, startLoad } from "./load.ts";

// Three `benih serve` processes on one PostgreSQL and one Redis, behind HAProxy on loopback: what one instance
// starts, another can stop and a third can read; background work runs once; a revoked key is refused everywhere;
// a rolling restart fails no request, and a kill -9 fails only the requests it was serving.
const missing = haproxyMissing() ?? (await pgAvailable().then((r) => (r === true ? undefined : r)));
if (missing && process.env.BENIH_REQUIRE_CLUSTER) throw new Error(missing);

const LONG_STORY = "Once upon a time a seed fell on a hill. ".repeat(40);
const AGENT_TOKEN = "agent-token-eu-west-0001";
const ADMIN_KEY = "bk-cluster-admin-key-for-tests";
let up: FakeServer;
/** The agent the agent test leaves polling (through HAProxy, as a real one does) and its run, for the kill -9 test. */
let training: { agentId: string; runId: string; received: Array<{ type: string; at: number }>; stop(): Promise<void> } | undefined;

/** Long-polls through HAProxy as the real agent does, asking again at once when a poll fails, until `stop()`. */
function pollAsAnAgent(agentId: string, runId: string) {
  const received: Array<{ type: string; at: number }> = [];
  let polling = true;
  const loop = (async () => {
    while (polling) {
      const r = await json(`${cluster.url}/control/v1/agents/${agentId}/commands?waitMs=2000`, "GET", undefined, {
        authorization: `Bearer ${AGENT_TOKEN}`,
      }).catch(() => undefined);
      for (const c of (r?.status === 200 ? r.body.commands : []) as Array<{ type: string }>)
        received.push({ type: c.type, at: Date.now() });
      if (r?.status !== 200) await new Promise((res) => setTimeout(res, 100));
    }
  })();
  return {
    agentId,
    runId,
    received,
    async stop() {
      polling = false;
      await loop;
    },
  };
}
let video: FakeServer;
let cluster: Cluster;

const yaml = () => `
server: { shutdown: { drainSeconds: 1, graceSeconds: 10 } }
providers:
  - { name: up, type: openai-compatible, baseURL: "${up.url}/v1", apiKey: sk-up, listModels: false }
routes:
  - { model: quick, targets: [{ provider: up, model: ok }] }
  - { model: short-story, targets: [{ provider: up, model: "say:${shortStory}" }] }
  - { model: long-story, targets: [{ provider: up, model: "say:${LONG_STORY}" }] }
assistant:
  videoPollSeconds: 0.5
  fetchAllow: ["${new URL(video.url).host}"]
  videos:
    - { name: ark, type: volcano-ark, baseURL: "${video.url}/api/v3", apiKey: ark-key, model: seedance-1-0-pro }
training:
  localAgent: false
  heartbeatTimeoutSeconds: 5
  agents: [{ region: eu-west, token: ${AGENT_TOKEN} }]
  datasets: [{ id: eu-chat, market: global, region: eu-west, source: global }]
`;

const json = async (url: string, method: string, body?: unknown, headers: Record<string, string> = {}) => {
  const r = await fetch(url, {
    method,
    headers: { ...(body !== undefined && { "content-type": "application/json" }), ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text && r.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
};

/** Rows of the cluster's PostgreSQL database. */
async function query<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: cluster.db.url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

describe("three instances behind HAProxy", { skip: missing ?? false, timeout: 300_000 }, () => {
  before(async () => {
    up = await startFakeOpenAI({ models: [], chunkDelayMs: 40 });
    video = await startFakeVideo({ pollsToFinish: 6 });
    cluster = await startCluster({ n: 3, yaml: yaml(), redisDb: 11, env: { BENIH_ADMIN_KEY: ADMIN_KEY } });
  });
  after(async () => {
    await training?.stop();
    await cluster?.close();
    await up?.close();
    await video?.close();
  });

  it("streams an answer on one instance, stops it from another, and reads it on a third", async () => {
    const [a, b, c] = cluster.instances;
    const made = await json(`${a!.url}/v1/conversations`, "POST", { model: "long-story" });
    const conversation = made.body.id as string;
    const res = await fetch(`${a!.url}/v1/conversations/${conversation}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content: "Tell me a long story" }),
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let events = "";
    while (!events.includes("event: delta")) events += (await reader.read()).value ?? "";
    const answer = JSON.parse(/event: answer\ndata: (.*)\n/.exec(events)![1]!).id as string;
    const upstreamCall = up.seen.findLast((s) => JSON.stringify(s.body).includes("Tell me a long story"))!;

    const stopped = await json(`${b!.url}/v1/conversations/${conversation}/messages/${answer}/stop`, "POST");
    assert.equal(stopped.status, 202, JSON.stringify(stopped.body));
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      events += value;
    }
    const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(events)![1]!) as { status: string };
    assert.equal(done.status, "stopped", "the stream on A ends as stopped");
    await until("the upstream call aborted", async () => (upstreamCall.aborted ? true : undefined), 5_000);

    const read = await json(`${c!.url}/v1/conversations/${conversation}`, "GET");
    const stored = (read.body.messages as Array<{ id: string; status: string; content: string }>).find((m) => m.id === answer)!;
    assert.equal(stored.status, "stopped");
    assert.ok(stored.content.length > 0 && LONG_STORY.startsWith(stored.content), "what came before the stop is kept");
    assert.ok(stored.content.length < LONG_STORY.length, "and nothing after it");
    const again = await json(`${c!.url}/v1/conversations/${conversation}/messages/${answer}/stop`, "POST");
    assert.equal(again.status, 409, "a stopped answer cannot be stopped again");
  });

  it("refuses a revoked key on every instance within a second", async () => {
    const [a, b, c] = cluster.instances;
    const made = await json(`${a!.url}/v1/me/keys`, "POST", { name: "laptop" });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const auth = { authorization: `Bearer ${made.body.key}` };
    for (const inst of [a, b, c]) assert.equal((await json(`${inst!.url}/v1/models`, "GET", undefined, auth)).status, 200);
    const revokedAt = Date.now();
    assert.equal((await json(`${b!.url}/v1/me/keys/${made.body.id}`, "DELETE")).status, 204);
    const refusedIn = await Promise.all(
      [a, b, c].map((inst) =>
        until(`${inst!.name} refuses the key`, async () => {
          const s = (await json(`${inst!.url}/v1/models`, "GET", undefined, auth)).status;
          return s === 401 ? Date.now() - revokedAt : undefined;
        }),
      ),
    );
    // Keys are cached for a second: refused well before that, each instance was told.
    assert.ok(Math.max(...refusedIn) < 400, `refused after ${refusedIn.join(", ")} ms`);
  });

  it("delivers commands to an agent long-polling any instance", async () => {
    const [a, b, c] = cluster.instances;
    const agent = { authorization: `Bearer ${AGENT_TOKEN}` };
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const registered = await json(
      `${a!.url}/control/v1/agents`,
      "POST",
      {
        cluster: { id: "eu-1", region: "eu-west", operator: "home", nodes: [{ id: "n1", accelerator: "B200", count: 8, free: 8 }] },
      },
      agent,
    );
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    const id = registered.body.agentId as string;
    const poll = (inst: { url: string }) => json(`${inst.url}/control/v1/agents/${id}/commands?waitMs=10000`, "GET", undefined, agent);

    // Registered on A, waiting on B; the run is created on C.
    const waiting = poll(b!);
    await new Promise((r) => setTimeout(r, 200));
    const createdAt = Date.now();
    const run = await json(`${c!.url}/control/v1/runs`, "POST", { recipe: "tiny", dataset: "eu-chat", steps: 10 }, admin);
    assert.equal(run.status, 201, JSON.stringify(run.body));
    const got = await waiting;
    assert.ok(Date.now() - createdAt < 2_000, `delivered in ${Date.now() - createdAt} ms, not at the poll's end`);
    assert.deepEqual(
      got.body.commands.map((x: { type: string; runId: string }) => [x.type, x.runId]),
      [["start", run.body.id]],
    );
    assert.equal((await json(`${a!.url}/control/v1/runs/${run.body.id}/reports`, "POST", { state: "running" }, agent)).status, 204);

    // Waiting on C now; the command is sent through A.
    const next = poll(c!);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await json(`${a!.url}/control/v1/runs/${run.body.id}/commands`, "POST", { command: "checkpoint" }, admin)).status, 202);
    assert.deepEqual(
      (await next).body.commands.map((x: { type: string }) => x.type),
      ["checkpoint"],
      "delivered once, to the one poll",
    );
    assert.deepEqual((await json(`${b!.url}/control/v1/agents/${id}/commands?waitMs=0`, "GET", undefined, agent)).body.commands, []);
    training = pollAsAnAgent(id, run.body.id);
  });

  it("runs a video job once, whichever instance took the request", async () => {
    const before = video.seen.filter((s) => s.path.endsWith("/generations/tasks")).length;
    const started = await json(`${cluster.url}/v1/videos`, "POST", { prompt: "a seed grows into a tree", model: "ark/seedance-1-0-pro" });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    await until("the video done", async () => {
      const j = await json(`${cluster.url}/v1/videos/${started.body.id}`, "GET");
      return j.body.status === "succeeded" ? true : undefined;
    });
    const submitted = video.seen.filter((s) => s.path.endsWith("/generations/tasks")).length - before;
    assert.equal(submitted, 1, "submitted to the provider once, though three instances poll for jobs");
  });

  it("restarts every instance in turn under load without failing a request, /ready flipping as it goes", async () => {
    const load = startLoad(cluster.url);
    await new Promise((r) => setTimeout(r, 1_000));
    for (let i = 0; i < cluster.instances.length; i++) {
      const inst = cluster.instances[i]!;
      inst.child.kill("SIGTERM");
      await until(`${inst.name} draining`, async () => {
        const r = await fetch(`${inst.url}/ready`);
        return r.status === 503 && ((await r.json()) as { status: string }).status === "draining" ? true : undefined;
      });
      assert.equal(await inst.exited, 0, `${inst.name} exits cleanly`);
      const again = await cluster.restart(i);
      assert.notEqual(again.id, inst.id, "a new instance");
      await new Promise((r) => setTimeout(r, 800)); // HAProxy sees it up (two checks 200 ms apart)
    }
    const outcomes = await load.stop();
    const failed = outcomes.filter((o) => !o.ok);
    assert.ok(outcomes.length > 50, `${outcomes.length} requests`);
    assert.deepEqual(
      failed.map((o) => `${o.kind}: ${o.detail}`),
      [],
      `of ${outcomes.length} requests none failed`,
    );
  });

  it("survives kill -9 of one instance under load: only its requests in flight fail, nothing stored is lost", async () => {
    // A video job in progress, leased by the instance about to die.
    const started = await json(`${cluster.url}/v1/videos`, "POST", { prompt: "waves on a beach", model: "ark/seedance-1-0-pro" });
    const holder = await until("the job leased", async () => {
      const [row] = await query<{ lease_holder: string | null }>("select lease_holder from video_jobs where id = $1", [started.body.id]);
      return row?.lease_holder ?? undefined;
    });
    const victim = cluster.instances.find((i) => i.id === holder)!;
    assert.ok(victim, "the job's holder is one of the three");

    const load = startLoad(cluster.url);
    assert.ok(training?.runId, "the agent test left a run, its agent polling");
    await new Promise((r) => setTimeout(r, 1_500));
    victim.child.kill("SIGKILL");
    await victim.exited;
    // From when it is gone (on two busy cores the exit is seen some milliseconds after the signal).
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 2_500));
    const outcomes = await load.stop();
    const sentAt = Date.now();
    const sent = await json(
      `${cluster.url}/control/v1/runs/${training.runId}/commands`,
      "POST",
      { command: "checkpoint" },
      {
        authorization: `Bearer ${ADMIN_KEY}`,
      },
    );
    assert.equal(sent.status, 202, `the run is still running, its agent not lost: ${JSON.stringify(sent.body)}`);
    await until(
      "the agent gets a command after the kill",
      async () => (training!.received.some((c) => c.at >= sentAt) ? true : undefined),
      5_000,
    );

    const failed = outcomes.filter((o) => !o.ok);
    const after = outcomes.filter((o) => o.startedAt > killedAt + 50);
    assert.ok(after.length > 20, `${after.length} requests after the kill`);
    assert.deepEqual(
      failed.filter((o) => o.startedAt > killedAt + 50).map((o) => `${o.kind} at +${o.startedAt - killedAt} ms: ${o.detail}`),
      [],
      "every request that began after the kill was served by the others",
    );
    assert.ok(failed.length <= 6, `at most the requests in flight on it fail (${failed.length})`);

    // Its leased job is taken over once the lease runs out, and finishes.
    await until(
      "the video taken over and done",
      async () => ((await json(`${cluster.url}/v1/videos/${started.body.id}`, "GET")).body.status === "succeeded" ? true : undefined),
      40_000,
    );

    // Every answer a client saw finish is stored, done, with the same text.
    for (const o of outcomes.filter((x) => x.kind === "conversation" && x.ok)) {
      const rows = await query<{ status: string; content: string }>(
        "select status, content from messages where conversation_id = $1 and role = 'assistant'",
        [o.conversation],
      );
      assert.deepEqual(rows, [{ status: "done", content: o.text }], `conversation ${o.conversation}`);
    }
    // Every completion served is in the request log, but for those the dead instance had not yet written (it
    // buffers them for at most 200 ms).
    const served = outcomes.filter((o) => o.kind === "quick" && o.ok);
    const recent = served.filter((o) => o.endedAt > killedAt - 400 && o.endedAt <= killedAt).length;
    const since = Math.min(...outcomes.map((o) => o.startedAt));
    const [{ n }] = (await query<{ n: string }>("select count(*) as n from request_log where model = 'quick' and created_at >= $1", [
      since,
    ])) as [{ n: string }];
    assert.ok(Number(n) >= served.length - recent, `${n} rows logged for ${served.length} served (${recent} in the last 400 ms)`);

    // The store's indexes pass PostgreSQL's own integrity check, and every message's parent is in its conversation.
    await query("create extension if not exists amcheck");
    const indexes = await query<{ name: string }>(
      "select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am a on a.oid = c.relam where a.amname = 'btree' and c.relnamespace = 'public'::regnamespace",
    );
    for (const { name } of indexes) await query("select bt_index_check($1::regclass, true)", [name]);
    const orphans = await query(
      "select m.id from messages m left join messages p on p.id = m.parent_id and p.conversation_id = m.conversation_id where m.parent_id is not null and p.id is null",
    );
    assert.deepEqual(orphans, []);
  });
});
