import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryLimitError } from "@benih/store";
import { testBackends } from "@benih/store/testing";

for (const backend of await testBackends()) {
  describe(`memories on ${backend.name}`, { skip: backend.skip }, () => {
    it("keeps each owner's memories apart: listed newest first, changed and deleted by their owner only", async () => {
      const { store, dispose } = await backend.open();
      try {
        const m = store.memories;
        const units = await m.add("ana", "prefers metric units", { at: 1, conversation: "conv-1", message: "msg-1" });
        const tea = await m.add("ana", "drinks tea, not coffee", { at: 2 });
        await m.add("budi", "lives in Bandung", { at: 3 });
        await m.add(null, "the machine's owner", { at: 4 });
        assert.deepEqual(
          (await m.list("ana")).map((x) => x.content),
          ["drinks tea, not coffee", "prefers metric units"],
        );
        assert.deepEqual(
          (await m.list(null)).map((x) => x.content),
          ["the machine's owner"],
        );
        const stored = await m.get(units.id, "ana");
        assert.deepEqual(
          [stored?.source_conversation, stored?.source_message, stored?.created_at],
          ["conv-1", "msg-1", 1],
          "where it was asked for, times as numbers",
        );

        assert.equal(await m.get(units.id, "budi"), undefined, "another owner does not see it");
        assert.equal(await m.update(units.id, "budi", "hacked"), undefined);
        assert.equal(await m.delete(units.id, "budi"), false);
        assert.equal(await m.delete(units.id, null), false);
        assert.equal((await m.get(units.id, "ana"))?.content, "prefers metric units");

        const changed = await m.update(units.id, "ana", "prefers SI units", 10);
        assert.deepEqual([changed?.content, changed?.updated_at, changed?.created_at], ["prefers SI units", 10, 1]);
        assert.equal(await m.delete(tea.id, "ana"), true);
        assert.equal(await m.delete(tea.id, "ana"), false, "gone already");
        assert.equal(await m.deleteAll("ana"), 1);
        assert.deepEqual(await m.list("ana"), []);
        assert.equal((await m.list("budi")).length, 1, "another owner's stay");
      } finally {
        await dispose();
      }
    });

    it("refuses a memory past the limit without writing it, and counts each owner apart", async () => {
      const { store, dispose } = await backend.open();
      try {
        const m = store.memories;
        for (let i = 0; i < 3; i++) await m.add("ana", `fact ${i}`, { limit: 3 });
        await assert.rejects(m.add("ana", "one more", { limit: 3 }), (err: Error) => {
          assert.ok(err instanceof MemoryLimitError);
          assert.equal(err.limit, 3);
          return true;
        });
        assert.equal((await m.list("ana")).length, 3);
        assert.ok(!(await m.list("ana")).some((x) => x.content === "one more"));
        await m.add("budi", "fits", { limit: 3 });
        // Several at once: the count and the write are one, so exactly the room left is taken.
        const tries = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => m.add("cita", `at once ${i}`, { limit: 2 })));
        assert.equal(tries.filter((t) => t.status === "fulfilled").length, 2);
        assert.equal((await m.list("cita")).length, 2);
      } finally {
        await dispose();
      }
    });

    it("keeps memory on until its owner turns it off, for each owner apart", async () => {
      const { store, dispose } = await backend.open();
      try {
        const m = store.memories;
        assert.equal(await m.enabled("ana"), true);
        await m.setEnabled("ana", false);
        assert.equal(await m.enabled("ana"), false);
        assert.equal(await m.enabled("budi"), true);
        assert.equal(await m.enabled(null), true);
        await m.setEnabled(null, false);
        assert.equal(await m.enabled(null), false);
        await m.setEnabled("ana", true);
        assert.equal(await m.enabled("ana"), true);
      } finally {
        await dispose();
      }
    });
  });
}
