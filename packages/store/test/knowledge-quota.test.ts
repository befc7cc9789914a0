import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KnowledgeQuotaError, SHARED } from "@benih/store";
import { testBackends } from "@benih/store/testing";

const chunk = (text: string) => ({ text, terms: text.toLowerCase(), page: null });

for (const backend of await testBackends()) {
  describe(`knowledge quota on ${backend.name}`, { skip: backend.skip }, () => {
    it("counts an owner's file bytes and stored text, and refuses a document over the quota without writing it", async () => {
      const { store, dispose } = await backend.open();
      try {
        const kb = store.knowledge;
        assert.equal(await kb.ownerBytes("alice"), 0);
        await kb.add(
          { owner: "alice", title: "A", source: "a.txt", mime: "text/plain", bytes: 100 },
          [chunk("首都 is five"), chunk("twelve chars")],
          Date.now(),
          { maxOwnerBytes: 200 },
        );
        assert.equal(await kb.ownerBytes("alice"), 100 + Buffer.byteLength("首都 is five") + 12, "bytes, not characters");
        await kb.add({ owner: "bob", title: "B", source: "b.txt", mime: "text/plain", bytes: 1000 }, [chunk("bob's")]);
        await kb.add({ owner: SHARED, title: "S", source: "s.txt", mime: "text/plain", bytes: 1000 }, [chunk("shared")]);
        await kb.add({ owner: null, title: "N", source: "n.txt", mime: "text/plain", bytes: 7 }, [chunk("none")]);
        assert.equal(await kb.ownerBytes(null), 11);
        const used = await kb.ownerBytes("alice");
        await assert.rejects(
          kb.add({ owner: "alice", title: "C", source: "c.txt", mime: "text/plain", bytes: 60 }, [chunk("x".repeat(20))], Date.now(), {
            maxOwnerBytes: 200,
          }),
          (err: Error) => {
            assert.ok(err instanceof KnowledgeQuotaError);
            assert.deepEqual([err.used, err.adding, err.quota], [used, 80, 200]);
            return true;
          },
        );
        assert.deepEqual((await kb.list("alice")).map((d) => d.source).sort(), ["a.txt", "s.txt"], "nothing of the refused one");
        assert.deepEqual(await kb.search("alice", ["xxxxxxxxxxxxxxxxxxxx"]), []);
        assert.equal(await kb.ownerBytes("alice"), used);
        // Exactly at the quota is within it; others' documents do not count.
        await kb.add(
          { owner: "alice", title: "D", source: "d.txt", mime: "text/plain", bytes: 200 - used - 4 },
          [chunk("fits")],
          Date.now(),
          { maxOwnerBytes: 200 },
        );
        assert.equal(await kb.ownerBytes("alice"), 200);
      } finally {
        await dispose();
      }
    });
  });
}
