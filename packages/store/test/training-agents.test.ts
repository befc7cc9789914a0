import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Store } from "@benih/store";
import { testBackends } from "@benih/store/testing";

for (const backend of await testBackends()) {
  describe(`training agents and commands on ${backend.name}`, { skip: backend.skip }, () => {
    it("hands each queued command to one taker only, in the order queued, also to takers on two connections at once", async () => {
      const { store, dispose } = await backend.open();
      const other = await Store.open(store.location);
      try {
        for (let i = 0; i < 200; i++) await store.training.queueCommand("bj-1", JSON.stringify({ n: i }));
        await store.training.queueCommand("bj-2", JSON.stringify({ n: "other" }));
        const takes = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).training.takeCommands("bj-1")));
        const taken = takes.flat().map((c) => (JSON.parse(c.command) as { n: number }).n);
        assert.deepEqual(
          [...taken].sort((a, b) => a - b),
          Array.from({ length: 200 }, (_, i) => i),
          "each exactly once",
        );
        for (const t of takes) {
          const ns = t.map((c) => (JSON.parse(c.command) as { n: number }).n);
          assert.deepEqual(
            ns,
            [...ns].sort((a, b) => a - b),
            "in order",
          );
        }
        assert.deepEqual(
          (await store.training.takeCommands("bj-2")).map((c) => c.command),
          [JSON.stringify({ n: "other" })],
        );
      } finally {
        await other.close();
        await dispose();
      }
    });

    it("puts taken commands back in their place, before those queued since, also once the queue was emptied", async () => {
      const { store, dispose } = await backend.open();
      try {
        const t = store.training;
        await t.registerAgent({ clusterId: "bj-1", agentId: "agent-1", region: "cn-north", cluster: "{}" });
        await t.queueCommand("bj-1", "start");
        await t.queueCommand("bj-1", "checkpoint");
        const taken = await t.takeCommands("bj-1"); // the newest rows of the table go: numbers must not be reused
        await t.queueCommand("bj-1", "stop");
        await t.putBackCommands("bj-1", taken);
        assert.deepEqual(
          (await t.takeCommands("bj-1")).map((c) => c.command),
          ["start", "checkpoint", "stop"],
        );
        await t.queueCommand("bj-1", "pause");
        const again = await t.takeCommands("bj-1");
        assert.ok(await t.dropAgent("bj-1", Date.now() + 1));
        await t.putBackCommands("bj-1", again);
        assert.deepEqual(await t.takeCommands("bj-1"), [], "a dropped agent's queue stays gone");
      } finally {
        await dispose();
      }
    });

    it("keeps an agent's id when it registers again, gives a new one after a drop, and numbers fleet changes in order", async () => {
      const { store, dispose } = await backend.open();
      try {
        const t = store.training;
        const row = (agentId: string) => ({ clusterId: "bj-1", agentId, region: "cn-north", cluster: "{}" });
        const first = await t.registerAgent(row("agent-1"), 1000);
        assert.equal(first, "agent-1");
        assert.equal(await t.registerAgent(row("agent-2"), 2000), "agent-1", "registered again: same agent");
        await t.agentsSeen(["bj-1"], 5000);
        assert.equal(await t.dropAgent("bj-1", 4000), false, "heard from since: not dropped");
        await t.queueCommand("bj-1", "{}");
        assert.equal(await t.dropAgent("bj-1", 6000), true);
        assert.deepEqual(await t.takeCommands("bj-1"), [], "a dropped agent's queue goes with it");
        await t.agentsSeen(["bj-1"], 7000);
        assert.deepEqual((await t.silentAgents(10_000)).length, 0, "a dropped agent is not heard from again");
        assert.equal(await t.registerAgent(row("agent-3"), 8000), "agent-3", "after a drop: a new agent");
        const changes = await t.agentsChangedSince(0);
        assert.deepEqual(
          changes.map((c) => [c.agent_id, c.dropped]),
          [["agent-3", 0]],
        );
        assert.equal(Number(changes[0]!.version), await t.version("fleet"));
        assert.equal(await t.version("fleet"), 4, "two registrations, a drop, a registration");
        assert.deepEqual(await t.agentsChangedSince(4), []);
      } finally {
        await dispose();
      }
    });
  });
}
