import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openTestSqlite, type TestStore } from "@benih/store/testing";
import { Closers } from "../src/compose/lifecycle.ts";
import { leasedDuty } from "../src/compose/leased-duty.ts";

// A duty's lease as a second instance sharing the store sees it: a run longer than the lease keeps it throughout.
let t: TestStore;
before(async () => {
  t = await openTestSqlite();
});
after(async () => {
  await t?.dispose();
});

describe("a leased duty", () => {
  it("keeps its lease through a run longer than the lease, and gives it up to no one meanwhile", async () => {
    const closers = new Closers();
    const everyMs = 200; // a lease of 300 ms, renewed every 100 ms while the run goes on
    let running = true;
    const taken: boolean[] = [];
    const errors: Error[] = [];
    const duty = leasedDuty(
      {
        store: t.store,
        name: "long-duty",
        holder: "this-instance",
        everyMs,
        work: () => new Promise((r) => setTimeout(r, 1_200)),
        onError: (err) => errors.push(err),
      },
      closers,
    );
    await new Promise((r) => setTimeout(r, 30)); // this instance has taken the lease and started
    const other = (async () => {
      // Another instance asks for the duty every 50 ms while the run (1.2 s, four leases long) goes on.
      while (running) {
        taken.push(await t.store.leases.tryAcquire("long-duty", "other-instance", everyMs * 1.5));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await duty;
    running = false;
    await other;
    await closers.closeAll();
    assert.ok(taken.length >= 15, `${taken.length} tries`);
    assert.equal(taken.filter(Boolean).length, 0, "the other instance never got the duty during the run");
    assert.deepEqual(errors, []);
  });
});
