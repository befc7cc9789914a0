import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ControlPlane, type PlaneError, type PlacementRules } from "@benih/control";
import { MemorySignals, Store, type TrainingStore } from "@benih/store";
import { testBackends } from "@benih/store/testing";

// Two `benih serve` processes behind one load balancer: two planes, each with its own connection to one store,
// and one signals object between them (Redis or PostgreSQL in production).
const rules: PlacementRules = { accelerators: [], preference: ["cn-north"] };
const cnChat = { id: "cn-chat", market: "cn", region: "cn-north", flags: [], transfers: [], source: "cn" };
const cluster = (id: string) => ({
  id,
  region: "cn-north",
  operator: "ops",
  nodes: [{ id: `${id}-n1`, accelerator: "H20", count: 8, free: 8 }],
});

for (const backend of await testBackends()) {
  describe(`two control planes on one ${backend.name} store`, { skip: backend.skip }, () => {
    const open = async (timeoutMs: number) => {
      const db = await backend.open();
      const other = await Store.open(db.store.location);
      const signals = new MemorySignals();
      const lease = (holder: string) => (name: string, ttlMs: number) => db.store.leases.tryAcquire(name, holder, ttlMs);
      const options = { rules, datasets: [cnChat], signals, heartbeatTimeoutMs: timeoutMs };
      const a = new ControlPlane({ ...options, store: db.store.training, lease: lease("a") });
      const b = new ControlPlane({ ...options, store: other.training, lease: lease("b") });
      return {
        a,
        b,
        options,
        store: db.store,
        close: async () => {
          await a.close();
          await b.close();
          await other.close();
          await db.dispose();
        },
      };
    };

    it("delivers a command queued on one plane to an agent long-polling the other, promptly and once", async () => {
      const { a, b, close } = await open(30_000);
      try {
        const agent = await b.register("cn-north", cluster("bj-1"));
        const t0 = performance.now();
        const polled = b.nextCommands(agent, "cn-north", 10_000);
        await new Promise((r) => setTimeout(r, 100)); // the poll is waiting
        const { id } = await a.createRun({ recipe: "tiny", dataset: "cn-chat", steps: 10 });
        const commands = await polled;
        const waited = performance.now() - t0;
        assert.deepEqual(
          commands.map((c) => [c.type, "runId" in c && c.runId]),
          [["start", id]],
        );
        assert.ok(waited < 2_000, `delivered after ${Math.round(waited)} ms of a 10 s poll`);
        assert.deepEqual(await a.nextCommands(agent, "cn-north", 0), [], "delivered once: plane A has nothing left for it");

        await a.report(id, "cn-north", { state: "running" }, agent);
        const next = b.nextCommands(agent, "cn-north", 10_000);
        await a.command(id, "checkpoint");
        await a.command(id, "pause");
        const got = await next;
        const rest = got.length < 2 ? await b.nextCommands(agent, "cn-north", 0) : [];
        assert.deepEqual(
          [...got, ...rest].map((c) => c.type),
          ["checkpoint", "pause"],
          "in the order queued",
        );
        assert.deepEqual(
          (await a.fleet()).map((c) => [c.id, c.nodes[0]!.free]),
          [["bj-1", 7]],
          "plane A counts the run plane B's agent holds",
        );
      } finally {
        await close();
      }
    });

    it("gives a node's last accelerators to one of two runs created on two planes at once; the other gets 409", async () => {
      const { options, store, close } = await open(30_000);
      // Both planes decide before either writes: each saw the node's 8 accelerators free, and the store decides.
      let arrived = 0;
      let bothDecided: () => void = () => {};
      const decided = new Promise<void>((r) => (bothDecided = r));
      const afterBothDecide = (training: TrainingStore): TrainingStore => {
        const held: TrainingStore = Object.create(training);
        held.createPlacedRun = async (...args) => {
          if (++arrived === 2) bothDecided();
          await decided;
          return training.createPlacedRun(...args);
        };
        return held;
      };
      // Two SQLite connections in one process would wait for each other's write lock synchronously (the driver
      // blocks the thread): there the planes share one connection, each with its own view of the fleet.
      const second = backend.name === "sqlite" ? store : await Store.open(store.location);
      const a = new ControlPlane({ ...options, store: afterBothDecide(store.training) });
      const b = new ControlPlane({ ...options, store: afterBothDecide(second.training) });
      try {
        await a.register("cn-north", cluster("bj-1"));
        await b.fleet();
        const create = { recipe: "tiny", dataset: "cn-chat", steps: 10, count: 6 };
        const results = await Promise.allSettled([a.createRun(create), b.createRun(create)]);
        const created = results.filter((r) => r.status === "fulfilled");
        const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as PlaneError] : []));
        assert.equal(created.length, 1, "exactly one run is created");
        assert.equal(refused[0]?.status, 409);
        assert.match(refused[0]!.message, /node bj-1-n1 of bj-1 has 2 free H20 now, and it needs 6/);
        assert.deepEqual(
          (await store.training.runsIn(["placed", "running"])).map((r) => r.accelerators),
          [6],
        );
        assert.deepEqual(
          (await b.fleet()).map((c) => c.nodes[0]!.free),
          [2],
        );
      } finally {
        await a.close();
        await b.close();
        if (second !== store) await second.close();
        await close();
      }
    });

    it("sweeps on one plane at a time, and never takes an agent polling the other plane for lost", async () => {
      const timeoutMs = 600;
      const { a, b, store, close } = await open(timeoutMs);
      try {
        const polling = await b.register("cn-north", cluster("bj-1"));
        const silent = await a.register("cn-north", cluster("bj-2"));
        const first = await a.createRun({ recipe: "tiny", dataset: "cn-chat", steps: 10, count: 8 });
        const second = await a.createRun({ recipe: "tiny", dataset: "cn-chat", steps: 10, count: 8 });
        const onCluster = async (id: string) => (await store.training.getRun(id))!.cluster;
        const polled = await onCluster(first.id);
        const idle = await onCluster(second.id);
        assert.deepEqual([polled, idle].sort(), ["bj-1", "bj-2"]);
        const runOn = (c: string) => (c === polled ? first.id : second.id);
        await b.nextCommands(polling, "cn-north", 0); // takes its start command

        // bj-1's agent waits in long polls on plane B for longer than the timeout; bj-2's agent says nothing.
        const poll = b.nextCommands(polling, "cn-north", 3 * timeoutMs);
        await new Promise((r) => setTimeout(r, 2.5 * timeoutMs));
        const moved = await a.sweep(timeoutMs);
        assert.deepEqual(moved, [{ runId: runOn("bj-2"), from: "bj-2" }], "bj-2's run is lost, with nowhere to go (bj-1 is full)");
        assert.deepEqual(await b.sweep(timeoutMs), [], "plane A holds the sweep's lease: B does not try the lost run again");
        assert.equal((await store.training.getRun(runOn("bj-1")))?.state, "placed", "the run of the agent polling plane B stays");
        await assert.rejects(a.nextCommands(silent, "cn-north", 0), /no agent .*: register again/);
        await assert.rejects(b.nextCommands(silent, "cn-north", 0), /no agent .*: register again/, "plane B knows it was dropped");
        assert.deepEqual(await poll, []);
      } finally {
        await close();
      }
    });
  });
}
