import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ControlPlane, type PlacementRules } from "@benih/control";
import type { TrainingStore } from "@benih/store";
import { openTestSqlite } from "@benih/store/testing";

const rules: PlacementRules = { accelerators: [], preference: ["cn-north"] };
const cnChat = { id: "cn-chat", market: "cn", region: "cn-north", flags: [], transfers: [], source: "cn" };
const bj1 = { id: "bj-1", region: "cn-north", operator: "ops", nodes: [{ id: "bj-1-n1", accelerator: "H20", count: 8, free: 8 }] };

describe("long polls whose agent hangs up", () => {
  it("keep what was taken for them for the agent's next poll, before the commands queued meanwhile", async () => {
    const db = await openTestSqlite();
    const hangUp = new AbortController();
    let meanwhile: (() => Promise<void>) | undefined;
    // The agent hangs up while the plane takes its start command from the store, and a stop is queued meanwhile.
    const store: TrainingStore = Object.create(db.store.training);
    store.takeCommands = async (clusterId) => {
      const taken = await db.store.training.takeCommands(clusterId);
      if (taken.length && meanwhile) {
        hangUp.abort();
        await meanwhile();
        meanwhile = undefined;
      }
      return taken;
    };
    const plane = new ControlPlane({ store, rules, datasets: [cnChat] });
    try {
      const agent = await plane.register("cn-north", bj1);
      const poll = plane.nextCommands(agent, "cn-north", 10_000, hangUp.signal);
      await new Promise((r) => setTimeout(r, 50)); // the poll is waiting
      let runId = "";
      meanwhile = () => plane.command(runId, "stop");
      ({ id: runId } = await plane.createRun({ recipe: "tiny", dataset: "cn-chat", steps: 10 }));
      assert.deepEqual(await poll, [], "nothing goes to a connection that is closed");
      assert.deepEqual(
        (await plane.nextCommands(agent, "cn-north", 0)).map((c) => [c.type, "runId" in c && c.runId]),
        [
          ["start", runId],
          ["stop", runId],
        ],
        "the next poll gets them, the start before the stop queued after it",
      );

      await plane.report(runId, "cn-north", { state: "running" }, agent);
      await plane.command(runId, "checkpoint");
      assert.deepEqual(await plane.nextCommands(agent, "cn-north", 10_000, AbortSignal.abort()), [], "a poll already hung up");
      assert.deepEqual(
        (await plane.nextCommands(agent, "cn-north", 0)).map((c) => c.type),
        ["checkpoint"],
      );
    } finally {
      await plane.close();
      await db.dispose();
    }
  });
});
