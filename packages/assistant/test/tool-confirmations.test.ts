import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ToolConfirmations } from "@benih/assistant";
import { MemorySignals, Store } from "@benih/store";
import { testBackends } from "@benih/store/testing";
import { sql } from "kysely";

// A tool call waits for the person's OK on the instance streaming its answer (A); the person's decision may reach
// any instance behind the load balancer (B). Each instance has its own connection to the one store they share.

/** Calls left waiting in the store. */
const waits = async (store: Store) =>
  (await sql<{ call_id: string }>`select call_id from tool_call_waits`.execute(store.db)).rows.map((r) => r.call_id);

for (const backend of await testBackends()) {
  describe(`tool calls waiting for an OK across instances, on ${backend.name}`, { skip: backend.skip }, () => {
    /** Instances A and B over one store; `shared`: one signals bus between them, else each its own (none arrive). */
    async function twoInstances(shared: boolean, pollMs?: number) {
      const { store, dispose } = await backend.open();
      const other = await Store.open(store.location);
      const busA = new MemorySignals();
      const busB = shared ? busA : new MemorySignals();
      const options = pollMs === undefined ? {} : { pollMs };
      const a = new ToolConfirmations(busA, options);
      const b = new ToolConfirmations(busB, options);
      await a.listen();
      await b.listen();
      return {
        a: { confirmations: a, store: store.conversations },
        b: { confirmations: b, store: other.conversations },
        store,
        async close() {
          await a.close();
          await b.close();
          await other.close();
          await dispose();
        },
      };
    }

    it("a decision given on B reaches the call waiting on A at once, by signal", async () => {
      // A reads the store only every minute here: the decision can only come sooner by the signal.
      const x = await twoInstances(true, 60_000);
      try {
        const started = Date.now();
        const waiting = x.a.confirmations.ask(x.a.store, "msg-1", "call-1", "alice", 30_000, new AbortController().signal);
        await until(async () => (await waits(x.store)).length === 1);
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", "alice", true), true);
        assert.equal(await waiting, true);
        assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
        assert.deepEqual(await waits(x.store), [], "the wait is gone");
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", "alice", false), false, "decided once");
        assert.equal(await x.a.confirmations.answer(x.a.store, "msg-1", "call-1", "alice", false), false, "on either instance");
      } finally {
        await x.close();
      }
    });

    it("a decision given on B reaches A within about a second with no signal, through the store", async () => {
      const x = await twoInstances(false);
      try {
        const waiting = x.a.confirmations.ask(x.a.store, "msg-1", "call-1", null, 30_000, new AbortController().signal);
        await until(async () => (await waits(x.store)).length === 1);
        // Decided at some point of A's one-second reading.
        await new Promise((r) => setTimeout(r, 300));
        const decided = Date.now();
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", null, false), true);
        assert.equal(await waiting, false, "declined");
        const took = Date.now() - decided;
        assert.ok(took < 1500, `took ${took} ms`);
        assert.deepEqual(await waits(x.store), []);
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", null, true), false, "decided once");
      } finally {
        await x.close();
      }
    });

    it("refuses a decision on another person's call, and one that comes after the time is up", async () => {
      const x = await twoInstances(true);
      try {
        const started = Date.now();
        const waiting = x.a.confirmations.ask(x.a.store, "msg-1", "call-1", "alice", 700, new AbortController().signal);
        await until(async () => (await waits(x.store)).length === 1);
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", "bob", true), false, "not bob's call");
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", null, true), false, "nor the keyless owner's");
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-9", "call-1", "alice", true), false, "no such answer waits");
        assert.equal(await waiting, undefined, "no one approved it in time");
        assert.ok(Date.now() - started >= 650, "it waited its time");
        assert.deepEqual(await waits(x.store), [], "the wait is gone");
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", "alice", true), false, "too late");
      } finally {
        await x.close();
      }
    });

    it("refuses a decision on a call whose time is up though its instance has not ended the wait", async () => {
      const x = await twoInstances(true);
      try {
        // A's clock is late (or its timer is): the store's time still decides.
        await x.a.store.waitForToolCall({ messageId: "msg-1", callId: "call-1", owner: "alice", expiresAt: Date.now() - 1 });
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", "alice", true), false);
        assert.equal(await x.a.store.toolCallDecision("msg-1", "call-1"), undefined);
      } finally {
        await x.close();
      }
    });

    it("keeps a decision given just before the time was up, even when A had not read it yet", async () => {
      const x = await twoInstances(false, 60_000);
      try {
        const waiting = x.a.confirmations.ask(x.a.store, "msg-1", "call-1", "alice", 800, new AbortController().signal);
        await until(async () => (await waits(x.store)).length === 1);
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", "alice", true), true);
        assert.equal(await waiting, true, "the person was told it was taken: it is");
        assert.deepEqual(await waits(x.store), []);
      } finally {
        await x.close();
      }
    });

    it("gives up the wait when the answer is stopped, and refuses a decision after", async () => {
      const x = await twoInstances(true);
      try {
        const stop = new AbortController();
        const waiting = x.a.confirmations.ask(x.a.store, "msg-1", "call-1", "alice", 30_000, stop.signal);
        await until(async () => (await waits(x.store)).length === 1);
        const started = Date.now();
        stop.abort();
        assert.equal(await waiting, undefined);
        assert.ok(Date.now() - started < 500, "at once");
        assert.deepEqual(await waits(x.store), [], "the wait is gone");
        assert.equal(await x.b.confirmations.answer(x.b.store, "msg-1", "call-1", "alice", true), false);
      } finally {
        await x.close();
      }
    });
  });
}

async function until(check: () => Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < end, "timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
