import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { AwsClient } from "aws4fetch";
import type { CheckpointReport } from "@benih/contracts";
import { benihTrainerFiles, isStepFile, type CheckpointFormat } from "./trainer-files.ts";

/**
 * Where a region keeps its checkpoints. The trainer writes its checkpoints into the run folder (benih's:
 * `checkpoint.bin`); storage decides what location the control plane records, and brings a checkpoint back into a
 * run folder when a run resumes on an agent that does not share the folder. Either way the bytes stay in the region.
 * `format` says what step a file holds and whether a copy is whole (benih's checkpoint format by default).
 */
export interface CheckpointStorage {
  readonly kind: string;
  /** Keeps a checkpoint of the run folder; returns its step, size and location. */
  save(runId: string, file: string, format?: CheckpointFormat): Promise<CheckpointReport>;
  /** Puts the checkpoint at `location` into `file`, unless `file` already holds that step or a later one. */
  fetch(location: string, step: number, file: string, format?: CheckpointFormat): Promise<void>;
}

const benih = benihTrainerFiles.format;

/** The run folder is the storage (a directory the region's agents share): nothing to copy. */
export class FolderStorage implements CheckpointStorage {
  readonly kind = "folder";

  async save(_runId: string, file: string, format = benih) {
    const bytes = statSync(file).size;
    return { step: format.stepAt(file), bytes, location: file };
  }

  async fetch(location: string, step: number, file: string, format = benih): Promise<void> {
    if (format.stepAt(file) >= step) return;
    if (location !== file && existsSync(location)) {
      mkdirSync(dirname(file), { recursive: true });
      copyFileSync(location, `${file}.fetching`);
      return install(`${file}.fetching`, file, location, format);
    }
    throw new Error(
      `the checkpoint of step ${step} is at ${location}, which this agent cannot read: share the run folder between the region's agents, or keep checkpoints in S3`,
    );
  }
}

/** Moves a fetched copy into place, after checking it is a whole checkpoint (a damaged one replaces nothing). */
function install(tmp: string, file: string, location: string, format: CheckpointFormat): void {
  try {
    format.verify(tmp, location);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, file);
}

export interface S3Options {
  /** s3://bucket/prefix */
  url: string;
  /** The S3-compatible endpoint in the region (MinIO, Ceph, OSS, S3), e.g. http://minio.cn-north.internal:9000. */
  endpoint: string;
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Checkpoints uploaded to an S3-compatible bucket in the region, one object per step (path-style requests). */
export class S3Storage implements CheckpointStorage {
  readonly kind = "s3";
  private readonly client: AwsClient;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(private readonly o: S3Options) {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(o.url);
    if (!m) throw new Error(`checkpoint storage ${o.url}: use s3://bucket/prefix`);
    this.bucket = m[1]!;
    this.prefix = (m[2] ?? "").replace(/\/+$/, "");
    this.client = new AwsClient({
      accessKeyId: o.accessKeyId,
      secretAccessKey: o.secretAccessKey,
      service: "s3",
      region: o.region ?? "us-east-1",
    });
  }

  private objectUrl(key: string): string {
    return `${this.o.endpoint.replace(/\/+$/, "")}/${this.bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
  }

  private keyOf(location: string): string {
    const prefix = `s3://${this.bucket}/`;
    if (!location.startsWith(prefix)) throw new Error(`checkpoint ${location} is not in this region's bucket ${this.bucket}`);
    return location.slice(prefix.length);
  }

  async save(runId: string, file: string, format = benih) {
    // A copy read once: trainers replace checkpoints by rename, so the bytes are one consistent version.
    const body = readFileSync(file);
    const tmp = join(dirname(file), ".upload.bin");
    writeFileSync(tmp, body);
    let step: number;
    try {
      step = format.verify(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
    }
    // A command trainer's checkpoint keeps its name (the trainer resumes from, and may clean up, that name).
    const name = isStepFile(basename(file)) ? basename(file) : `step-${String(step).padStart(9, "0")}.bin`;
    const key = [this.prefix, runId, name].filter(Boolean).join("/");
    const res = await this.client.fetch(this.objectUrl(key), {
      method: "PUT",
      body,
      headers: { "content-type": "application/octet-stream" },
    });
    if (!res.ok) throw new Error(`uploading checkpoint step ${step} to s3://${this.bucket}/${key} failed: ${await s3Error(res)}`);
    return { step, bytes: body.length, location: `s3://${this.bucket}/${key}` };
  }

  async fetch(location: string, step: number, file: string, format = benih): Promise<void> {
    if (format.stepAt(file) >= step) return;
    const res = await this.client.fetch(this.objectUrl(this.keyOf(location)));
    if (!res.ok) throw new Error(`downloading checkpoint ${location} failed: ${await s3Error(res)}`);
    const tmp = `${file}.fetching`;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, Buffer.from(await res.arrayBuffer()));
    install(tmp, file, location, format);
  }
}

/** S3's XML error as one line: "NoSuchKey: The specified key does not exist. (404)". */
async function s3Error(res: Response): Promise<string> {
  const xml = await res.text();
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  return code ? `${code}: ${message ?? ""} (${res.status})` : `HTTP ${res.status}`;
}
