import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testBackends } from "@benih/store/testing";
import { trainingMigrations } from "../src/training/migrations.ts";

for (const backend of await testBackends()) {
  describe(`cluster ownership on ${backend.name}`, { skip: backend.skip }, () => {
    it("gives a cluster id to the region that claims it first, for good", async () => {
      const { store, dispose } = await backend.open();
      try {
        assert.equal(await store.training.clusterRegion("jb-1"), undefined);
        assert.equal(await store.training.claimCluster("jb-1", "my-johor", 1000), "my-johor");
        assert.equal(await store.training.claimCluster("jb-1", "cn-north", 2000), "my-johor", "a second claim gets the owner back");
        const [a, b] = await Promise.all([store.training.claimCluster("bj-1", "cn-north"), store.training.claimCluster("bj-1", "sg")]);
        assert.equal(a, b, "two claims at once agree on one owner");
        assert.equal(await store.training.clusterRegion("jb-1"), "my-johor");
      } finally {
        await dispose();
      }
    });

    it("on upgrade, gives clusters that took runs to the region of their earliest run's placement", async () => {
      const { store, dispose } = await backend.open();
      try {
        const run = (id: string, cluster: string, region: string, at: number) =>
          store.training.createRun(
            {
              id,
              recipe: "tiny",
              dataset: "d",
              market: "m",
              state: "placed",
              steps: 1,
              cluster,
              node: "n1",
              accelerator: "H20",
              requested_accelerator: null,
              accelerators: 1,
              placement: JSON.stringify({ placed: { cluster, region } }),
            },
            "created",
            at,
          );
        await run("run-1", "jb-1", "my-johor", 1000);
        await run("run-2", "jb-1", "cn-north", 2000); // placed after a takeover: the earlier run says whose it was
        await run("run-3", "bj-1", "cn-north", 3000);
        const clusters = trainingMigrations["0011-training-clusters"]!;
        await clusters.down!(store.db);
        await clusters.up(store.db);
        assert.deepEqual(
          [await store.training.clusterRegion("jb-1"), await store.training.clusterRegion("bj-1")],
          ["my-johor", "cn-north"],
        );
      } finally {
        await dispose();
      }
    });
  });
}
