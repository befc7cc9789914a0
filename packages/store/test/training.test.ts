import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testBackends } from "@benih/store/testing";

const run = {
  id: "run-1",
  recipe: "tiny",
  dataset: "cn-chat",
  market: "cn",
  state: "queued",
  steps: 100,
  cluster: null,
  node: null,
  accelerator: null,
  requested_accelerator: "H20",
  accelerators: 8,
  placement: "{}",
};

for (const backend of await testBackends()) {
  describe(`training store on ${backend.name}`, { skip: backend.skip }, () => {
    it("moves a run only from the state it is in, and keeps the history with reasons", async () => {
      const { store, dispose } = await backend.open();
      try {
        await store.training.createRun(run, "created by ops", 1000);
        assert.equal(
          await store.training.transition(
            "run-1",
            "queued",
            "placed",
            "placed on bj-1/h20-a",
            { cluster: "bj-1", node: "h20-a", accelerator: "H20" },
            2000,
          ),
          true,
        );
        assert.equal(
          await store.training.transition("run-1", "queued", "placed", "a second placement", {}, 2500),
          false,
          "compare-and-set: already placed",
        );
        assert.equal(await store.training.transition("run-1", "placed", "running", "agent started it", {}, 3000), true);
        const r = await store.training.getRun("run-1");
        assert.deepEqual([r?.state, r?.cluster, r?.node, r?.accelerators, r?.updated_at], ["running", "bj-1", "h20-a", 8, 3000]);
        const counted = await store.training.version("runs");
        assert.equal(await store.training.transition("run-1", "placed", "running", "again", {}, 3500), false);
        assert.equal(await store.training.version("runs"), counted, "a move refused by the state check counts no change");
        const events = await store.training.events("run-1");
        assert.deepEqual(
          events.map((e) => [e.seq, e.from_state, e.to_state, e.reason]),
          [
            [1, null, "queued", "created by ops"],
            [2, "queued", "placed", "placed on bj-1/h20-a"],
            [3, "placed", "running", "agent started it"],
          ],
        );
      } finally {
        await dispose();
      }
    });

    it("places a run only while the node's runs fit in what its agent offers, refusing with what is free", async () => {
      const { store, dispose } = await backend.open();
      try {
        const t = store.training;
        const offer = { cluster: "bj-1", node: "n1", free: 8 };
        const placed = (id: string, accelerators: number) => ({
          ...run,
          id,
          cluster: "bj-1",
          node: "n1",
          accelerator: "H20",
          accelerators,
        });
        const create = (id: string, accelerators: number) =>
          t.createPlacedRun(placed(id, accelerators), { created: "c", placed: "p" }, { clusterId: "bj-1", command: id }, offer);
        assert.deepEqual(await create("run-a", 6), { placed: true });
        const versions = await t.version("runs");
        assert.deepEqual(await create("run-b", 4), { placed: false, free: 2 });
        assert.equal(await t.getRun("run-b"), undefined, "nothing of a refused run is written");
        assert.equal(await t.version("runs"), versions);
        assert.deepEqual(
          (await t.takeCommands("bj-1")).map((c) => c.command),
          ["run-a"],
        );
        await t.createRun({ ...run, id: "run-c", accelerators: 4, state: "paused" }, "paused");
        const set = { accelerator: "H20", placement: "{}" };
        assert.deepEqual(await t.placeRun("run-c", "paused", "resumed", offer, set), { placed: false, free: 2 });
        assert.equal((await t.getRun("run-c"))?.state, "paused", "rolled back");
        assert.deepEqual(await t.placeRun("run-c", "queued", "resumed", offer, set), { placed: false, changed: true });
        assert.equal(await t.transition("run-a", "placed", "paused", "paused"), true);
        assert.deepEqual(await t.placeRun("run-c", "paused", "resumed", offer, set), { placed: true });
        const c = await t.getRun("run-c");
        assert.deepEqual([c?.state, c?.node], ["placed", "n1"]);
      } finally {
        await dispose();
      }
    });

    it("appends metrics idempotently (a batch sent twice), reads step ranges in order, tracks the last step and checkpoint", async () => {
      const { store, dispose } = await backend.open();
      try {
        await store.training.createRun(run, "created");
        const point = (step: number) => ({ step, at: step * 10, loss: 5 / step, lr: 1e-3, grad_norm: 1, tokens_per_s: 4000 });
        const batch = Array.from({ length: 1200 }, (_, i) => point(i + 1));
        await store.training.appendMetrics("run-1", batch.slice(0, 700));
        await store.training.appendMetrics("run-1", batch.slice(600)); // overlaps: 100 points re-sent after a reconnect
        const all = await store.training.metrics("run-1");
        assert.equal(all.length, 1200);
        assert.deepEqual(
          all.map((p) => p.step),
          batch.map((p) => p.step),
          "no gaps, no duplicates, in order",
        );
        const range = await store.training.metrics("run-1", 500, 509);
        assert.deepEqual(
          range.map((p) => p.step),
          [500, 501, 502, 503, 504, 505, 506, 507, 508, 509],
        );
        assert.equal(range[0]!.loss, 5 / 500);
        assert.equal((await store.training.getRun("run-1"))?.step, 1200);
        await store.training.recordCheckpoint("run-1", 500, "/data/ckpt/run-1/500.bin", 123_456);
        await store.training.recordCheckpoint("run-1", 1000, "s3://cn-north-ckpt/run-1/1000.bin", 123_456);
        await store.training.recordCheckpoint("run-1", 1000, "s3://cn-north-ckpt/run-1/1000.bin", 123_456); // re-sent
        assert.equal((await store.training.lastCheckpoint("run-1"))?.location, "s3://cn-north-ckpt/run-1/1000.bin");
      } finally {
        await dispose();
      }
    });

    it("keeps log lines per attempt: resent lines are absorbed, a new attempt's lines come after, the tail is the newest", async () => {
      const { store, dispose } = await backend.open();
      try {
        await store.training.createRun(run, "created");
        const line = (attempt: number, offset: number) => ({
          attempt,
          offset,
          at: 1000 + offset,
          text: `attempt ${attempt} byte ${offset}`,
        });
        await store.training.appendLogs("run-1", [line(1, 0), line(1, 40), line(1, 80)]);
        await store.training.appendLogs("run-1", [line(1, 80), line(1, 120)]); // re-sent after a reconnect
        await store.training.appendLogs("run-1", [line(2, 0), line(2, 40)]); // resumed elsewhere: its own file
        const all = await store.training.logTail("run-1", 100);
        assert.deepEqual(
          all.map((l) => l.text),
          ["attempt 1 byte 0", "attempt 1 byte 40", "attempt 1 byte 80", "attempt 1 byte 120", "attempt 2 byte 0", "attempt 2 byte 40"],
        );
        assert.deepEqual(
          (await store.training.logTail("run-1", 3)).map((l) => [l.attempt, l.offset]),
          [
            [1, 120],
            [2, 0],
            [2, 40],
          ],
        );
        assert.equal(typeof all[0]!.at, "number");
      } finally {
        await dispose();
      }
    });
  });
}
