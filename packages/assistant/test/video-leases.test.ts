import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { VideoRunner } from "@benih/assistant";
import { startFakeVideo, type FakeServer } from "@benih/fake-upstreams";
import { openTestSqlite, type TestStore } from "@benih/store/testing";

// Video jobs in a store that several instances share: each runner is an instance. A video is submitted to the
// provider once, whichever runners tick, and a runner that dies has its jobs finished by another.

let video: FakeServer;
let db: TestStore;
before(async () => {
  video = await startFakeVideo({ pollsToFinish: 3 });
  db = await openTestSqlite();
});
after(async () => {
  await db.dispose();
  await video.close();
});

const model = () => ({ name: "ark", type: "volcano-ark" as const, baseURL: `${video.url}/api/v3`, apiKey: "k", model: "seedance" });
const runner = (leaseMs: number) =>
  new VideoRunner({ stores: () => [db.store.videos], models: [model()], fetchAllow: [new URL(video.url).host], intervalMs: 20, leaseMs });
const submissions = () => video.seen.filter((s) => s.path.endsWith("/contents/generations/tasks")).length;

async function finished(id: string, ms = 5_000) {
  const until = Date.now() + ms;
  for (;;) {
    const job = await db.store.videos.get(id, null);
    if (job?.state === "succeeded" || job?.state === "failed") return job;
    if (Date.now() > until) assert.fail(`job ${id} is still ${job?.state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("video jobs shared by several instances", () => {
  it("are submitted once, whichever instances tick", async () => {
    const job = await db.store.videos.create({ owner: null, prompt: "a seed grows", model: "ark/seedance" });
    const before = submissions();
    const runners = [runner(60_000), runner(60_000), runner(60_000)];
    for (const r of runners) r.start();
    try {
      const done = await finished(job.id);
      assert.equal(done.state, "succeeded", done.error ?? "");
      assert.equal(submissions() - before, 1, "one submission for one job");
    } finally {
      for (const r of runners) await r.stop();
    }
  });

  it("are taken over when the instance holding one stops", async () => {
    const job = await db.store.videos.create({ owner: null, prompt: "a tree", model: "ark/seedance" });
    const first = runner(300);
    await first.tick(); // takes the lease and submits, then is gone
    await new Promise((r) => setTimeout(r, 50));
    const taken = await db.store.videos.get(job.id, null);
    assert.equal(taken?.state, "running");
    const second = runner(300);
    assert.equal(await db.store.videos.lease(job.id, "another", 300), false, "held while its lease lasts");
    second.start();
    try {
      assert.equal((await finished(job.id)).state, "succeeded", "finished by the other once the lease ran out");
    } finally {
      await second.stop();
    }
  });
});
