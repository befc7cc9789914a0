import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ControlPlane, type PlacementRules } from "@benih/control";
import { openTestSqlite } from "@benih/store/testing";

const rules: PlacementRules = {
  accelerators: [{ regions: ["cn-north"], allow: ["H20"], effective: "2023-10-17", source: "US export controls" }],
  preference: ["cn-north", "my-johor"],
};
const cnChat = { id: "cn-chat", market: "cn", region: "cn-north", flags: [], transfers: [], source: "cn" };
const cluster = (id: string, region: string, accelerator: string) => ({
  id,
  region,
  operator: "ops",
  nodes: [{ id: `${id}-n1`, accelerator, count: 8, free: 8 }],
});

describe("fault recovery", () => {
  it("marks a silent agent's run lost, and resumes it from its last checkpoint on another eligible agent of the same region", async () => {
    const db = await openTestSqlite();
    let clock = Date.parse("2026-11-26T12:00:00Z");
    const plane = new ControlPlane({ store: db.store.training, rules, datasets: [cnChat], now: () => new Date(clock) });
    try {
      const a = await plane.register("cn-north", cluster("bj-1", "cn-north", "H20"));
      const b = await plane.register("cn-north", cluster("bj-2", "cn-north", "H20"));
      const johor = await plane.register("my-johor", cluster("johor-1", "my-johor", "B200"));
      const { id } = await plane.createRun({ recipe: "tiny", dataset: "cn-chat", steps: 100, count: 4 });
      assert.equal((await db.store.training.getRun(id))?.cluster, "bj-1");
      await plane.report(id, "cn-north", { state: "running", checkpoint: { step: 40, location: "/ckpt/40.bin", bytes: 1 } });

      clock += 20_000; // bj-1 goes silent; bj-2 and johor keep polling
      await plane.heartbeat(b, "cn-north");
      await plane.heartbeat(johor, "my-johor");
      assert.deepEqual(await plane.sweep(30_000), [], "within the timeout nothing moves");
      clock += 15_000;
      await plane.heartbeat(b, "cn-north");
      await plane.heartbeat(johor, "my-johor");
      const moved = await plane.sweep(30_000);
      assert.deepEqual(moved, [{ runId: id, from: "bj-1", to: "bj-2" }], "never to johor: the data stays in cn-north");
      const events = await db.store.training.events(id);
      assert.deepEqual(
        events.slice(-2).map((e) => e.to_state),
        ["lost", "placed"],
      );
      assert.match(events.at(-2)!.reason, /agent agent-\w+ \(bj-1\) sent no heartbeat for 35 s/);
      assert.match(events.at(-1)!.reason, /resumed from step 40 after its agent was lost: placed on bj-2/);
      const cmds = await plane.nextCommands(b, "cn-north", 0);
      assert.deepEqual(cmds, [
        {
          type: "start",
          runId: id,
          attempt: 2,
          recipe: "tiny",
          dataset: "cn-chat",
          source: "cn",
          steps: 100,
          node: "bj-2-n1",
          accelerator: "H20",
          count: 4,
          resumeFrom: { step: 40, location: "/ckpt/40.bin" },
        },
      ]);
      await assert.rejects(plane.nextCommands(a, "cn-north", 0), /no agent .*: register again/);
    } finally {
      await db.dispose();
    }
  });

  it("counts what placed and running runs use: a node's last accelerators are not given twice", async () => {
    const db = await openTestSqlite();
    const plane = new ControlPlane({ store: db.store.training, rules, datasets: [cnChat] });
    try {
      await plane.register("cn-north", cluster("bj-1", "cn-north", "H20"));
      await plane.createRun({ recipe: "tiny", dataset: "cn-chat", steps: 100, count: 6 });
      assert.deepEqual(
        (await plane.fleet())[0]!.nodes.map((n) => [n.id, n.free]),
        [["bj-1-n1", 2]],
      );
      await assert.rejects(
        plane.createRun({ recipe: "tiny", dataset: "cn-chat", steps: 100, count: 4 }),
        /refused bj-1: no node has 4 free allowed accelerator \(most free: 2\)/,
      );
      await plane.createRun({ recipe: "tiny", dataset: "cn-chat", steps: 100, count: 2 });
    } finally {
      await db.dispose();
    }
  });
});
