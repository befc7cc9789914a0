import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error s3rver ships no types; the little used here is typed below.
import S3rver from "s3rver";

export interface FakeS3 {
  /** The endpoint, for path-style requests: `${url}/${bucket}/${key}`. */
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

/**
 * An S3-compatible server on loopback (s3rver: S3's REST API and XML errors, objects on disk), with the given
 * buckets. It knows one key pair; another access key id is refused with InvalidAccessKeyId.
 */
export async function startFakeS3(buckets: string[]): Promise<FakeS3> {
  const dir = mkdtempSync(join(tmpdir(), "benih-s3-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  }) as {
    run(): Promise<{ port: number }>;
    close(): Promise<void>;
  };
  const { port } = await server.run();
  return {
    url: `http://127.0.0.1:${port}`,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
