import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { metricSeries, runDetail, runList } from "@benih/contracts";
import { ControlPlane, PlaneError, registerControlRoutes, type PlacementRules } from "@benih/control";
import { enforceAccess, openScope } from "@benih/gateway";
import { openTestSqlite, type TestStore } from "@benih/store/testing";
import Fastify, { type FastifyInstance } from "fastify";

const rules: PlacementRules = {
  accelerators: [
    { regions: ["cn-north"], allow: ["H20"], effective: "2023-10-17", source: "US export controls, 2023-10-17" },
    { regions: ["my-johor", "sg"], deny: ["H20"], effective: "2023-01-01", source: "fleet policy" },
  ],
  preference: ["cn-north", "my-johor", "sg"],
};
const datasets = [
  { id: "cn-chat", market: "cn", region: "cn-north", flags: ["personal-information" as const], transfers: [] },
  { id: "global-chat", market: "global", region: "my-johor", flags: [], transfers: [] },
];
/** A trainer benih did not write, over two nodes of two H20s each. */
const toy = {
  name: "toy-ddp",
  kind: "command" as const,
  command: ["python3", "train.py"],
  env: { SEED: "7" },
  accelerator: { type: "H20", count: 2, nodes: 2 },
};
const tokens = new Map([
  ["tok-cn", "cn-north"],
  ["tok-my", "my-johor"],
  ["tok-sg", "sg"],
]);

let db: TestStore;
let app: FastifyInstance;
let base: string;
before(async () => {
  db = await openTestSqlite();
  app = Fastify();
  const plane = new ControlPlane({ store: db.store.training, rules, datasets });
  // The server's access rules, with one admin: the bearer "admin".
  const admin = { keyId: "admin", name: "admin", role: "admin" as const, market: null, credential: "admin" };
  enforceAccess(app, {
    auth: { required: true, authenticate: async (h) => (h.authorization === "Bearer admin" ? admin : undefined) },
    resolveScope: () => openScope(),
    agentRegion: (t) => t && tokens.get(t),
  });
  registerControlRoutes(app, { plane, store: db.store.training });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
after(async () => {
  await app.close();
  await db.dispose();
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const cluster = (id: string, region: string, accelerator: string) => ({
  cluster: { id, region, operator: "ops", nodes: [{ id: `${id}-n1`, accelerator, count: 8, free: 8 }] },
});

describe("the control plane over HTTP", () => {
  it("registers agents by region token, places runs by the rules, and carries commands, metrics and reports", async () => {
    assert.equal((await call("POST", "/control/v1/agents", "wrong", cluster("bj-1", "cn-north", "H20"))).status, 401);
    const spoof = await call("POST", "/control/v1/agents", "tok-cn", cluster("johor-1", "my-johor", "B200"));
    assert.deepEqual([spoof.status, spoof.body.error.message], [403, "this token speaks for region cn-north, not my-johor"]);
    const cn = (await call("POST", "/control/v1/agents", "tok-cn", cluster("bj-1", "cn-north", "H20"))).body.agentId;
    await call("POST", "/control/v1/agents", "tok-my", cluster("johor-1", "my-johor", "B200"));
    await call("POST", "/control/v1/agents", "tok-sg", cluster("sg-1", "sg", "CPU"));

    // The cn agent is already waiting when the run is created: the long poll returns with the start command.
    const polled = call("GET", `/control/v1/agents/${cn}/commands?waitMs=5000`, "tok-cn");
    assert.equal((await call("POST", "/control/v1/runs", "not-admin", { recipe: "tiny", dataset: "cn-chat", steps: 50 })).status, 403);
    const created = await call("POST", "/control/v1/runs", "admin", { recipe: "tiny", dataset: "cn-chat", steps: 50 });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    assert.equal(created.body.placement.placed.cluster, "bj-1");
    assert.match(
      created.body.placement.refused.find((g: { clusters: string[] }) => g.clusters.includes("johor-1")).reasons[0],
      /dataset cn-chat \(personal-information\) must stay in cn-north/,
    );
    assert.deepEqual((await polled).body.commands, [
      {
        type: "start",
        runId: id,
        attempt: 1,
        recipe: "tiny",
        dataset: "cn-chat",
        source: "cn-chat",
        steps: 50,
        node: "bj-1-n1",
        accelerator: "H20",
        count: 1,
        resumeFrom: null,
      },
    ]);

    const h100 = await call("POST", "/control/v1/runs", "admin", { recipe: "tiny", dataset: "cn-chat", steps: 50, accelerator: "H100" });
    assert.equal(h100.status, 422);
    assert.match(
      h100.body.error.message,
      /refused bj-1: H100 is not allowed in cn-north since 2023-10-17 \(US export controls, 2023-10-17\); allowed there: H20/,
    );

    assert.equal((await call("POST", `/control/v1/runs/${id}/reports`, "tok-cn", { state: "running" })).status, 204);
    const bad = await call("POST", `/control/v1/runs/${id}/metrics`, "tok-cn", {
      points: [{ step: 1, at: 1, loss: "NaN", lr: 0.001, gradNorm: 1, tokensPerSecond: 9 }],
    });
    assert.deepEqual([bad.status, bad.body.error.message], [400, "points.0.loss: Invalid input: expected number, received string"]);
    assert.equal(
      (
        await call("POST", `/control/v1/runs/${id}/metrics`, "tok-my", {
          points: [{ step: 1, at: 1, loss: 2, lr: 0.001, gradNorm: 1, tokensPerSecond: 9 }],
        })
      ).status,
      403,
      "another region's agent",
    );
    const points = Array.from({ length: 20 }, (_, i) => ({
      step: i + 1,
      at: 1000 + i,
      loss: 3 - i / 10,
      lr: 0.001,
      gradNorm: 1,
      tokensPerSecond: 4000,
    }));
    assert.equal((await call("POST", `/control/v1/runs/${id}/metrics`, "tok-cn", { points })).status, 204);
    const chart = metricSeries.parse((await call("GET", `/control/v1/runs/${id}/metrics?buckets=5`, "admin")).body);
    assert.equal(chart.points, 20);
    assert.ok(chart.loss.length <= 10 && chart.loss[0]!.value === 3);

    // pause → the agent gets it, checkpoints, reports paused; commands that do not apply get 409 with the reason.
    assert.equal((await call("POST", `/control/v1/runs/${id}/commands`, "admin", { command: "pause" })).status, 202);
    assert.deepEqual((await call("GET", `/control/v1/agents/${cn}/commands?waitMs=0`, "tok-cn")).body.commands, [
      { type: "pause", runId: id },
    ]);
    await call("POST", `/control/v1/runs/${id}/reports`, "tok-cn", {
      state: "paused",
      checkpoint: { step: 20, location: "/ckpt/run/20.bin", bytes: 1024 },
    });
    const conflict = await call("POST", `/control/v1/runs/${id}/commands`, "admin", { command: "checkpoint" });
    assert.deepEqual([conflict.status, conflict.body.error.message], [409, `checkpoint needs a run that is running; run ${id} is paused`]);
    assert.equal((await call("POST", `/control/v1/runs/${id}/commands`, "admin", { command: "resume" })).status, 202);
    assert.deepEqual((await call("GET", `/control/v1/agents/${cn}/commands?waitMs=0`, "tok-cn")).body.commands, [
      {
        type: "start",
        runId: id,
        attempt: 2,
        recipe: "tiny",
        dataset: "cn-chat",
        source: "cn-chat",
        steps: 50,
        node: "bj-1-n1",
        accelerator: "H20",
        count: 1,
        resumeFrom: { step: 20, location: "/ckpt/run/20.bin" },
      },
    ]);
    await call("POST", `/control/v1/runs/${id}/reports`, "tok-cn", { state: "running" });
    await call("POST", `/control/v1/runs/${id}/reports`, "tok-cn", { state: "succeeded" });
    const done = await call("POST", `/control/v1/runs/${id}/commands`, "admin", { command: "stop" });
    assert.deepEqual([done.status, done.body.error.message], [409, `run ${id} has succeeded: it takes no more commands`]);

    // The admin views are what the contracts declare (camelCase, no raw rows): the web app and CLI read them so.
    const shown = runDetail.parse((await call("GET", `/control/v1/runs/${id}`, "admin")).body);
    assert.deepEqual(
      shown.events.map((e) => e.toState),
      ["queued", "placed", "running", "paused", "placed", "running", "succeeded"],
    );
    assert.deepEqual(shown.lastCheckpoint && { step: shown.lastCheckpoint.step, location: shown.lastCheckpoint.location }, {
      step: 20,
      location: "/ckpt/run/20.bin",
    });
    assert.deepEqual(
      [shown.run.state, shown.run.step, shown.run.requestedAccelerator, shown.run.placement.placed?.cluster],
      ["succeeded", 20, null, "bj-1"],
    );
    const listed = runList.parse((await call("GET", "/control/v1/runs", "admin")).body).runs.find((r) => r.id === id);
    assert.deepEqual(listed, shown.run);
  });

  it("keeps a cluster in the region that registered it first: another region's token gets 409 and takes nothing over, also after a restart", async () => {
    const jb = (await call("POST", "/control/v1/agents", "tok-my", cluster("jb-1", "my-johor", "MI300"))).body.agentId as string;
    const grab = await call("POST", "/control/v1/agents", "tok-cn", cluster("jb-1", "cn-north", "H20"));
    assert.equal(grab.status, 409);
    assert.equal(
      grab.body.error.message,
      "cluster jb-1 belongs to region my-johor, whose agent registered it first; an agent of cn-north cannot register it: give this cluster an id of its own",
    );
    assert.deepEqual(grab.body.error.details, { code: "cluster_of_another_region", cluster: "jb-1", region: "my-johor" });
    assert.equal(grab.body.agentId, undefined, "my-johor's agent id is not handed out");

    // The real agent keeps its cluster and keeps working; cn-north's token cannot act for it.
    assert.equal((await call("POST", `/control/v1/agents/${jb}/heartbeat`, "tok-my")).status, 204);
    assert.deepEqual((await call("GET", `/control/v1/agents/${jb}/commands?waitMs=0`, "tok-my")).body.commands, []);
    assert.equal((await call("POST", `/control/v1/agents/${jb}/heartbeat`, "tok-cn")).status, 403);
    assert.equal((await call("GET", `/control/v1/agents/${jb}/commands?waitMs=0`, "tok-cn")).status, 403);
    assert.equal(
      (await call("POST", "/control/v1/agents", "tok-my", cluster("jb-1", "my-johor", "MI300"))).body.agentId,
      jb,
      "its own region registers it again",
    );
    const fleet = (await call("GET", "/control/v1/fleet", "admin")).body.clusters as Array<{
      id: string;
      region: string;
      nodes: Array<{ accelerator: string }>;
    }>;
    assert.deepEqual(
      fleet.filter((c) => c.id === "jb-1").map((c) => [c.region, c.nodes[0]!.accelerator]),
      [["my-johor", "MI300"]],
    );

    // A run placed on jb-1: its commands reach jb-1's agent; only my-johor's token writes for it.
    const created = await call("POST", "/control/v1/runs", "admin", {
      recipe: "tiny",
      dataset: "global-chat",
      steps: 10,
      accelerator: "MI300",
    });
    assert.equal(created.body.placement.placed.cluster, "jb-1");
    const id = created.body.id as string;
    assert.equal(
      ((await call("GET", `/control/v1/agents/${jb}/commands?waitMs=0`, "tok-my")).body.commands as Array<{ runId: string }>)[0]!.runId,
      id,
    );
    const asAgent = async (path: string, token: string, agent: string, body: unknown) =>
      (
        await fetch(base + path, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "x-benih-agent": agent, "content-type": "application/json" },
          body: JSON.stringify(body),
        })
      ).status;
    const points = { points: [{ step: 1, at: 1, loss: 2, lr: 0.001, gradNorm: 1, tokensPerSecond: 9 }] };
    const lines = { lines: [{ attempt: 1, offset: 0, at: 1, text: "hello" }] };
    for (const agent of ["", jb]) {
      assert.equal(await asAgent(`/control/v1/runs/${id}/reports`, "tok-cn", agent, { state: "running" }), 403);
      assert.equal(await asAgent(`/control/v1/runs/${id}/metrics`, "tok-cn", agent, points), 403);
      assert.equal(await asAgent(`/control/v1/runs/${id}/logs`, "tok-cn", agent, lines), 403);
    }
    assert.equal(await asAgent(`/control/v1/runs/${id}/reports`, "tok-my", jb, { state: "running" }), 204);
    assert.equal(await asAgent(`/control/v1/runs/${id}/metrics`, "tok-my", jb, points), 204);
    assert.equal(await asAgent(`/control/v1/runs/${id}/logs`, "tok-my", jb, lines), 204);

    // A restarted plane (or another instance on the same store) knows the agents and whose cluster jb-1 is.
    const restarted = new ControlPlane({ store: db.store.training, rules, datasets });
    await assert.rejects(
      restarted.register("cn-north", cluster("jb-1", "cn-north", "H20").cluster),
      (e) => e instanceof PlaneError && e.status === 409 && /belongs to region my-johor/.test(e.message),
    );
    await assert.rejects(restarted.report(id, "cn-north", { state: "paused" }), /does not run in cn-north/);
    const again = await restarted.register("my-johor", cluster("jb-1", "my-johor", "MI300").cluster);
    await restarted.heartbeat(again, "my-johor");
    assert.equal(again, jb, "the agent keeps its id across the restart");
    assert.deepEqual(
      (await restarted.fleet()).filter((c) => c.id === "jb-1").map((c) => [c.id, c.region, c.nodes[0]!.accelerator]),
      [["jb-1", "my-johor", "MI300"]],
    );
    await restarted.report(id, "my-johor", { state: "paused" }, again);
  });
  it("previews a placement without creating a run; keeps a run's tags and note; a command recipe's trainer and accelerators go with its start", async () => {
    const before = runList.parse((await call("GET", "/control/v1/runs", "admin")).body).runs.length;
    const preview = await call("POST", "/control/v1/placements", "admin", { recipe: "tiny", dataset: "cn-chat", steps: 10 });
    assert.equal(preview.status, 200);
    assert.equal(preview.body.placed.cluster, "bj-1");
    const nowhere = await call("POST", "/control/v1/placements", "admin", {
      recipe: "tiny",
      dataset: "cn-chat",
      steps: 10,
      accelerator: "H100",
    });
    assert.deepEqual([nowhere.status, nowhere.body.placed], [200, undefined], "a preview that goes nowhere is still an answer");
    assert.match(nowhere.body.summary, /H100 is not allowed in cn-north/);
    assert.equal(runList.parse((await call("GET", "/control/v1/runs", "admin")).body).runs.length, before, "nothing created");

    const created = await call("POST", "/control/v1/runs", "admin", { recipe: "tiny", dataset: "cn-chat", steps: 10 });
    const id = created.body.id as string;
    const tagged = await call("PATCH", `/control/v1/runs/${id}`, "admin", { tags: ["baseline", "lr-sweep"], note: "lr 3e-3" });
    assert.deepEqual(
      [tagged.status, tagged.body.tags, tagged.body.note, tagged.body.state],
      [200, ["baseline", "lr-sweep"], "lr 3e-3", "placed"],
    );
    const noteOnly = await call("PATCH", `/control/v1/runs/${id}`, "admin", { note: "" });
    assert.deepEqual([noteOnly.body.tags, noteOnly.body.note], [["baseline", "lr-sweep"], ""], "what is not given stays");
    for (const [body, message] of [
      [{}, "body: give tags, a note, or both"],
      [{ tags: ["a", "a"] }, "tags: each tag once"],
      [{ tags: ["a,b"] }, "tags.0: a tag is one line without commas"],
      [{ note: "x".repeat(4001) }, "note: Too big: expected string to have <=4000 characters"],
    ] as const) {
      const r = await call("PATCH", `/control/v1/runs/${id}`, "admin", body);
      assert.deepEqual([r.status, r.body.error.message], [400, message]);
    }
    assert.equal((await call("PATCH", "/control/v1/runs/run-none", "admin", { note: "x" })).status, 404);

    // Scores come from the run's own region, and only they cross: another region's agent is refused.
    const scores = {
      scores: [
        { name: "zh/capital exact", value: 0.96, count: 50 },
        { name: "validation perplexity", value: 1.8 },
      ],
    };
    assert.equal((await call("POST", `/control/v1/runs/${id}/scores`, "tok-my", scores)).status, 403);
    const twice = await call("POST", `/control/v1/runs/${id}/scores`, "tok-cn", { scores: [scores.scores[0], scores.scores[0]] });
    assert.deepEqual([twice.status, twice.body.error.message], [400, "scores: each score name once"]);
    assert.equal((await call("POST", `/control/v1/runs/${id}/scores`, "tok-cn", scores)).status, 204);
    assert.equal((await call("POST", `/control/v1/runs/${id}/scores`, "tok-cn", scores)).status, 204, "sent again: kept once");
    assert.deepEqual(runDetail.parse((await call("GET", `/control/v1/runs/${id}`, "admin")).body).scores, [
      { name: "validation perplexity", value: 1.8 },
      { name: "zh/capital exact", value: 0.96, count: 50 },
    ]);
    assert.equal((await call("PATCH", `/control/v1/runs/${id}`, "tok-cn", { note: "x" })).status, 403, "an agent's token");

    assert.throws(
      () => new ControlPlane({ store: db.store.training, rules, datasets, recipes: [{ ...toy, name: "tiny" }] }),
      /training.recipes: tiny is the name of one of benih's own recipes/,
    );
    const plane = new ControlPlane({ store: db.store.training, rules, datasets, recipes: [toy] });
    try {
      await assert.rejects(plane.createRun({ recipe: "torch", dataset: "cn-chat", steps: 5 }), (e: PlaneError) => {
        assert.deepEqual([e.status, e.message], [422, "no recipe torch; recipes: tiny, tiny-lora, micro, micro-lora, toy-ddp"]);
        return true;
      });
      const run = await plane.createRun({ recipe: "toy-ddp", dataset: "cn-chat", steps: 5 });
      const row = (await db.store.training.getRun(run.id))!;
      assert.deepEqual([row.requested_accelerator, row.accelerators], ["H20", 2], "the recipe's accelerator request");
      const queued = (await db.store.training.takeCommands("bj-1")).map((c) => JSON.parse(c.command));
      const start = queued.find((c) => c.runId === run.id);
      assert.deepEqual(start.trainer, { command: ["python3", "train.py"], env: { SEED: "7" }, nodes: 2 });
    } finally {
      await plane.close();
    }
  });
});
