import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ImageQuotaError } from "@benih/store";
import { testBackends } from "@benih/store/testing";

const image = (owner: string | null, size: number, mime = "image/png") => ({
  owner,
  prompt: "",
  model: "upload",
  size: "1x1",
  seed: null,
  mime,
  bytes: Buffer.alloc(size, 7),
});

for (const backend of await testBackends()) {
  describe(`images on ${backend.name}`, { skip: backend.skip }, () => {
    it("sizes an owner's images without their bytes, and refuses one over the quota without writing it", async () => {
      const { store, dispose } = await backend.open();
      try {
        const images = store.images;
        assert.deepEqual(await images.usage("alice"), { images: 0, bytes: 0 });
        const a = await images.add(image("alice", 100), Date.now(), { maxOwnerBytes: 250 });
        const b = await images.add(image("alice", 120, "image/jpeg"));
        await images.add(image("bob", 1000));
        await images.add(image(null, 7));
        assert.deepEqual(await images.usage("alice"), { images: 2, bytes: 220 });
        assert.deepEqual(await images.usage(null), { images: 1, bytes: 7 });

        const sized = await images.owned([b.id, a.id, a.id, "img-nope"], "alice");
        assert.deepEqual(
          sized.map((s) => [s.id, s.mime, s.byteLength]).sort(),
          [
            [a.id, "image/png", 100],
            [b.id, "image/jpeg", 120],
          ].sort(),
        );
        assert.ok(
          sized.every((s) => !("bytes" in s)),
          "no bytes are read",
        );
        assert.deepEqual(await images.owned([a.id], "bob"), [], "another owner's are not theirs");

        await assert.rejects(images.add(image("alice", 31), Date.now(), { maxOwnerBytes: 250 }), (err: Error) => {
          assert.ok(err instanceof ImageQuotaError);
          assert.deepEqual([err.used, err.adding, err.quota], [220, 31, 250]);
          return true;
        });
        assert.deepEqual(await images.usage("alice"), { images: 2, bytes: 220 }, "nothing of the refused one");
        await images.add(image("alice", 30), Date.now(), { maxOwnerBytes: 250 });
        assert.equal((await images.usage("alice")).bytes, 250, "exactly at the quota is within it");
      } finally {
        await dispose();
      }
    });

    it("deletes an image for its owner only", async () => {
      const { store, dispose } = await backend.open();
      try {
        const images = store.images;
        const a = await images.add(image("alice", 10));
        assert.equal(await images.delete(a.id, "bob"), false);
        assert.ok(await images.get(a.id, "alice"), "still there for its owner");
        assert.equal(await images.delete(a.id, "alice"), true);
        assert.equal(await images.get(a.id, "alice"), undefined);
        assert.equal(await images.delete(a.id, "alice"), false, "gone");
      } finally {
        await dispose();
      }
    });
  });
}
