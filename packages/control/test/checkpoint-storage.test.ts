import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AwsClient } from "aws4fetch";
import { FolderStorage, S3Storage } from "@benih/control";
import { startFakeS3, type FakeS3 } from "@benih/fake-upstreams";
import { microRecipe, readCheckpoint, train } from "@benih/trainer";

const root = mkdtempSync(join(tmpdir(), "benih-ckpt-"));
let s3: FakeS3;
let checkpoint: string; // a real one, from three steps of the micro recipe
before(async () => {
  s3 = await startFakeS3(["cn-north-ckpt"]);
  await train({ recipe: microRecipe, dataset: "cn", dir: join(root, "trained"), steps: 3, checkpointEvery: 1 });
  checkpoint = join(root, "trained", "checkpoint.bin");
});
after(async () => {
  await s3.close();
  rmSync(root, { recursive: true, force: true });
});

const storage = (keys: Partial<{ accessKeyId: string; secretAccessKey: string }> = {}) =>
  new S3Storage({
    url: "s3://cn-north-ckpt/runs",
    endpoint: s3.url,
    accessKeyId: keys.accessKeyId ?? s3.accessKeyId,
    secretAccessKey: keys.secretAccessKey ?? s3.secretAccessKey,
  });
const folder = (name: string) => {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return join(dir, "checkpoint.bin");
};

describe("checkpoint storage", () => {
  it("S3: uploads a run folder's checkpoint as one object per step, and brings it into another agent's folder byte for byte", async () => {
    const saved = await storage().save("run-1", checkpoint);
    assert.deepEqual(saved, {
      step: 3,
      bytes: readFileSync(checkpoint).length,
      location: "s3://cn-north-ckpt/runs/run-1/step-000000003.bin",
    });
    const elsewhere = folder("agent-b");
    await storage().fetch(saved.location, saved.step, elsewhere);
    assert.deepEqual(readFileSync(elsewhere), readFileSync(checkpoint));
  });

  it("S3: leaves a folder alone that already holds that step or a later one", async () => {
    const here = folder("agent-c");
    copyFileSync(checkpoint, here);
    // A location that does not exist: fetch would fail if it asked for it.
    await storage().fetch("s3://cn-north-ckpt/runs/run-1/step-000000002.bin", 2, here);
    assert.equal(readCheckpoint(here).header.step, 3);
  });

  it("S3: says what went wrong: a missing object, an unknown key, a damaged object, another bucket; nothing in the folder is replaced", async () => {
    const here = folder("agent-d");
    copyFileSync(checkpoint, here);
    await assert.rejects(storage().fetch("s3://cn-north-ckpt/runs/run-9/step-000000050.bin", 50, here), {
      message:
        "downloading checkpoint s3://cn-north-ckpt/runs/run-9/step-000000050.bin failed: NoSuchKey: The specified key does not exist. (404)",
    });
    await assert.rejects(
      storage({ accessKeyId: "NOT-A-KEY" }).save("run-1", checkpoint),
      /uploading checkpoint step 3 to s3:\/\/cn-north-ckpt\/runs\/run-1\/step-000000003\.bin failed: InvalidAccessKeyId: .* \(403\)/,
    );

    const aws = new AwsClient({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, service: "s3", region: "us-east-1" });
    const put = await aws.fetch(`${s3.url}/cn-north-ckpt/runs/run-1/step-000000050.bin`, { method: "PUT", body: "not a checkpoint" });
    assert.equal(put.status, 200);
    await assert.rejects(storage().fetch("s3://cn-north-ckpt/runs/run-1/step-000000050.bin", 50, here), /is not a benih checkpoint/);
    await assert.rejects(
      storage().fetch("s3://sg-ckpt/runs/run-1/step-000000050.bin", 50, here),
      /is not in this region's bucket cn-north-ckpt/,
    );
    assert.equal(readCheckpoint(here).header.step, 3, "the folder's checkpoint is untouched");
    assert.throws(
      () => new S3Storage({ url: "https://bucket", endpoint: s3.url, accessKeyId: "a", secretAccessKey: "b" }),
      /use s3:\/\/bucket\/prefix/,
    );
  });

  it("a shared folder: the location is the file; an agent that cannot read it is told to share the folder or use S3", async () => {
    const saved = await new FolderStorage().save("run-1", checkpoint);
    assert.deepEqual(saved, { step: 3, bytes: readFileSync(checkpoint).length, location: checkpoint });
    const other = folder("agent-e");
    await new FolderStorage().fetch(checkpoint, 3, other);
    assert.equal(readCheckpoint(other).header.step, 3);
    await assert.rejects(
      new FolderStorage().fetch("/nowhere/run-1/checkpoint.bin", 3, folder("agent-f")),
      /cannot read: share the run folder between the region's agents, or keep checkpoints in S3/,
    );
  });
});
